/* objects.h - a package's objects besides tables into a target database (objects.c). */
#ifndef OFB_OBJECTS_H
#define OFB_OBJECTS_H

#include <stddef.h>

#include "error.h"
#include "schema.h"

struct ofb_db;
struct ofb_driver;

/* Make every object of s of phase in db (same engine as s), by kind (types, domains,
 * sequences, constraints, routines, views, events, triggers), each only once what it
 * depends on in this phase is made; each statement is checked once more right before it
 * runs. *made counts what was made; a circle of dependencies is an error. */
int ofb_objects_create(struct ofb_db *db, const struct ofb_schema *s, enum ofb_obj_phase phase,
		       const char *subject, size_t *made, struct ofb_error *err);

/* import --strict, before anything changes: -1 (err naming each object) when s holds
 * objects written for another engine than target, which a load could not carry. */
int ofb_objects_refuse_uncarried(const struct ofb_schema *s, const struct ofb_driver *target,
				 const char *subject, struct ofb_error *err);

/* A warning naming each object of s that target (another engine) does not take; returns
 * how many. */
size_t ofb_objects_warn_uncarried(const struct ofb_schema *s, const struct ofb_driver *target,
				  const char *subject);

#endif
