/* objects.c - a package's objects besides tables (views, triggers, routines, types ...)
 * made in a target database of the same engine, in phases and in the order their
 * dependencies need; named where another engine cannot take them (objects.h). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "objects.h"
#include "odbc.h"
#include "progress.h"
#include "schema.h"
#include "sqlcheck.h"
#include "translate.h"
#include "util.h"

/* An object's own DDL, checked again right before it runs. */
static int exec_object(struct ofb_db *db, const struct ofb_object *o, const char *subject,
		       size_t *made, struct ofb_error *err)
{
	char *why = NULL, *name = ofb_object_ddl_name(o);
	int rc = ofb_sql_check_native(ofb_drv_dialect(db->drv), ofb_object_sql_kind(o), name,
				      o->table, o->native_ddl, &why);

	free(name);
	name = ofb_object_label(o);
	if (rc != 0) {
		ofb_error_set(err, "%s, %s '%s': the package's DDL is refused: %s", subject,
			      ofb_object_kind_name(o->kind), name, why);
		free(why);
		free(name);
		return -1;
	}
	if (ofb_db_exec(db, o->native_ddl, err) != 0) {
		ofb_error_prefix(err, "%s, %s '%s'", subject, ofb_object_kind_name(o->kind), name);
		free(name);
		return -1;
	}
	free(name);
	(*made)++;
	return 0;
}

/* The order objects of one phase are made in when their dependencies allow any order. */
static int kind_rank(enum ofb_obj_kind k)
{
	switch (k) {
	case OFB_OBJ_EXTENSION: return -1;
	case OFB_OBJ_TYPE: return 0;
	case OFB_OBJ_DOMAIN: return 1;
	case OFB_OBJ_SEQUENCE: return 2;
	case OFB_OBJ_CONSTRAINT: return 3;
	case OFB_OBJ_FUNCTION:
	case OFB_OBJ_PROCEDURE: return 4;
	case OFB_OBJ_VIEW:
	case OFB_OBJ_MATVIEW: return 5;
	case OFB_OBJ_EVENT: return 6;
	case OFB_OBJ_COMMENT: return 7;
	case OFB_OBJ_TRIGGER: return 8;
	default: return 8;
	}
}

static int refers_to(const struct ofb_obj_ref *ref, const struct ofb_object *o)
{
	int routine = ref->kind == OFB_OBJ_FUNCTION || ref->kind == OFB_OBJ_PROCEDURE;
	int o_routine = o->kind == OFB_OBJ_FUNCTION || o->kind == OFB_OBJ_PROCEDURE;

	/* a view and a materialized view share one namespace, and so do routines */
	return (ref->kind == o->kind || (routine && o_routine) ||
		((ref->kind == OFB_OBJ_VIEW || ref->kind == OFB_OBJ_MATVIEW) &&
		 (o->kind == OFB_OBJ_VIEW || o->kind == OFB_OBJ_MATVIEW))) &&
	       strcmp(ref->name, o->name) == 0 && !ref->schema == !o->schema &&
	       (!ref->schema || strcmp(ref->schema, o->schema) == 0);
}

int ofb_objects_create(struct ofb_db *db, const struct ofb_schema *s, enum ofb_obj_phase phase,
		       const char *subject, size_t *made, struct ofb_error *err)
{
	char *done = xcalloc(s->n_objects + 1, 1);
	size_t left = 0;
	int ret = -1;

	for (size_t i = 0; i < s->n_objects; i++)
		if (ofb_object_phase(&s->objects[i]) == phase)
			left++;
	while (left) {
		size_t pick = s->n_objects;
		for (size_t i = 0; i < s->n_objects; i++) {
			const struct ofb_object *o = &s->objects[i];
			int ready = !done[i] && ofb_object_phase(o) == phase;
			for (size_t d = 0; ready && d < o->n_depends; d++)
				for (size_t k = 0; ready && k < s->n_objects; k++)
					ready = !(k != i && !done[k] &&
						  ofb_object_phase(&s->objects[k]) == phase &&
						  refers_to(&o->depends[d], &s->objects[k]));
			if (ready && (pick == s->n_objects ||
				      kind_rank(o->kind) < kind_rank(s->objects[pick].kind)))
				pick = i;
		}
		if (pick == s->n_objects) {
			ofb_error_set(err, "%s: the objects' dependencies go round in a circle; "
				      "none of the %zu left can be made first", subject, left);
			goto out;
		}
		if (exec_object(db, &s->objects[pick], subject, made, err) != 0)
			goto out;
		done[pick] = 1;
		left--;
	}
	ret = 0;
out:
	free(done);
	return ret;
}

int ofb_objects_refuse_uncarried(const struct ofb_schema *src, const struct ofb_driver *target,
			      const char *subject, struct ofb_error *err)
{
	struct buf names;
	size_t n = 0;

	if (!target || src->n_objects == 0 || (src->engine && strcmp(src->engine, target->name) == 0))
		return 0;
	buf_init(&names);
	for (size_t i = 0; i < src->n_objects; i++) {
		if (ofb_translate_carries(src, &src->objects[i], target))
			continue;
		char *label = ofb_object_label(&src->objects[i]);
		buf_addf(&names, "%s%s '%s'", n++ ? ", " : "",
			 ofb_object_kind_name(src->objects[i].kind), label);
		free(label);
	}
	if (n == 0) {
		buf_free(&names);
		return 0;
	}
	ofb_error_set(err, "%s: %zu object%s written in %s's SQL cannot be carried into %s "
		      "(--strict): %s; nothing was changed", subject, n, n == 1 ? "" : "s",
		      src->engine, target->name, names.data);
	buf_free(&names);
	return -1;
}

size_t ofb_objects_warn_uncarried(const struct ofb_schema *s, const struct ofb_driver *target,
				  const char *subject)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_objects; i++) {
		const struct ofb_object *o = &s->objects[i];
		char *label = ofb_object_label(o);
		if (ofb_translate_carries(s, o, target))
			ofb_info("%s: %s '%s' is carried as %s's own checks", subject,
				 ofb_object_kind_name(o->kind), label, target->name);
		else {
			ofb_warn("%s: %s '%s' is not carried into %s (it is written in %s's SQL)",
				 subject, ofb_object_kind_name(o->kind), label, target->name,
				 s->engine);
			n++;
		}
		free(label);
	}
	return n;
}
