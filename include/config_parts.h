/* config_parts.h - what the parts of the configuration loader share: the raw lookup of a
 * key, and the unattended sections ([schedule], [package], [copy.NAME]) loaded apart from
 * the installation's own (config.c). */
#ifndef OFB_CONFIG_PARTS_H
#define OFB_CONFIG_PARTS_H

#include <iniparser.h>
#include "config.h"
#include "error.h"

/* The raw value of section:key, or NULL when the key is absent. */
const char *ofb_config_lookup(const dictionary *dict, const char *section, const char *key);
/* [schedule], [package] and every [copy.NAME] into cfg; -1 with a usage error. */
int ofb_config_load_unattended(const dictionary *dict, struct ofb_config *cfg,
			       struct ofb_error *err);
void ofb_config_free_unattended(struct ofb_config *cfg);

#endif
