/* schema.h - the portable description of a database: tables, columns with a portable and
 * a native type, keys, indexes, foreign keys, identity state. Read from a database by
 * catalog.c, written and read as schema.json by schema_json.c. */
#ifndef OFB_SCHEMA_H
#define OFB_SCHEMA_H

#include <stddef.h>
#include "error.h"

/* Portable column types. The text names (ofb_ptype_name) are part of the package format. */
enum ofb_ptype {
	OFB_T_BOOLEAN,
	OFB_T_SMALLINT,
	OFB_T_INTEGER,
	OFB_T_BIGINT,
	OFB_T_DECIMAL,     /* precision, scale */
	OFB_T_REAL,        /* 4-byte float */
	OFB_T_DOUBLE,      /* 8-byte float */
	OFB_T_CHAR,        /* length */
	OFB_T_VARCHAR,     /* length */
	OFB_T_TEXT,        /* unbounded character data */
	OFB_T_BINARY,      /* length */
	OFB_T_VARBINARY,   /* length */
	OFB_T_BLOB,        /* unbounded binary data */
	OFB_T_DATE,
	OFB_T_TIME,        /* scale = fractional digits */
	OFB_T_TIMESTAMP,   /* scale = fractional digits */
	OFB_T_TIMESTAMPTZ, /* scale = fractional digits */
	OFB_T_UUID,
	OFB_T_OTHER        /* kept as text; native_type tells what it was */
};

/* How values of a type are encoded in a table's CSV file. */
enum ofb_encoding {
	OFB_ENC_NUMBER,   /* unquoted decimal text */
	OFB_ENC_FLOAT,    /* unquoted shortest round-trip text, NaN, Infinity, -Infinity */
	OFB_ENC_BOOL,     /* unquoted 1 or 0 */
	OFB_ENC_TEXT,     /* always double-quoted UTF-8 */
	OFB_ENC_BINARY    /* unquoted \x followed by lowercase hex */
};

struct ofb_column {
	char *name;
	enum ofb_ptype type;
	long length;          /* CHAR/VARCHAR/BINARY/VARBINARY length; 0 unknown */
	int precision;        /* DECIMAL precision */
	int scale;            /* DECIMAL scale, TIME/TIMESTAMP fractional digits */
	char *native_type;    /* the engine's declared type, e.g. "decimal(12,4)", "int4" */
	int sql_type;         /* ODBC SQL_DATA_TYPE as reported */
	int nullable;
	char *default_value;  /* as the engine reports it, or NULL */
	int identity;         /* auto-increment / serial / identity column */
	long long identity_next; /* the next value its sequence hands out; 0 unknown */
	int generated;        /* computed by the engine from other columns (the table's own
			       * DDL or generation says how): its values are backed up, not
			       * loaded back where the target computes them */
	char *generation;     /* the expression it is computed by, where the table has no
			       * DDL of its own (PostgreSQL), or NULL */
	int key_part;         /* set by restore: part of the primary key or an index */
};

struct ofb_key {              /* primary key, unique constraint or index */
	char *name;
	int unique;
	char **columns;
	int *descending;      /* per column, may be NULL */
	size_t n_columns;
	char *native_ddl;     /* the engine's own CREATE INDEX, where it tells one, or NULL */
	int not_portable;     /* on expressions or partial: only its native_ddl describes it */
};

struct ofb_fkey {
	char *name;
	char **columns;
	char *ref_table;
	char *ref_schema;     /* the referenced table's schema when not the database's default */
	char **ref_columns;
	size_t n_columns;
	char *on_update;      /* "CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT", "NO ACTION" */
	char *on_delete;
};

struct ofb_table {
	char *name;
	char *schema;                 /* its schema when not the database's default (PostgreSQL) */
	struct ofb_column *columns;
	size_t n_columns;
	struct ofb_key *primary_key;  /* NULL when the table has none */
	struct ofb_key *indexes;      /* unique constraints and indexes, not the primary key */
	size_t n_indexes;
	struct ofb_fkey *fkeys;
	size_t n_fkeys;
	char *identity_column;        /* NULL when none */
	long long identity_next;      /* next value the engine would hand out; 0 unknown */
	char *native_ddl;             /* engine's own CREATE statement when it can tell, else NULL */
	/* filled while dumping */
	char *entry;                  /* package entry name of the data file */
	unsigned long long n_rows;
	unsigned long fetch_rows;     /* rows the driver's fetch window holds (read_window), 0
				       * not measured yet */
	int fits_window;              /* ... and all of the table's rows fit in it */
};

/* Objects of a database besides its tables, each restored from the engine's own SQL on
 * the same engine only. The kinds' text names (ofb_object_kind_name) are part of the
 * package format. */
enum ofb_obj_kind {
	OFB_OBJ_TYPE,        /* PostgreSQL ENUM, composite and range types */
	OFB_OBJ_DOMAIN,
	OFB_OBJ_SEQUENCE,    /* standalone sequences, with where they stand */
	OFB_OBJ_FUNCTION,
	OFB_OBJ_PROCEDURE,
	OFB_OBJ_CONSTRAINT,  /* CHECK and EXCLUDE constraints added after the data */
	OFB_OBJ_VIEW,
	OFB_OBJ_MATVIEW,     /* refreshed after every view and routine exists */
	OFB_OBJ_EVENT,       /* MariaDB scheduled events */
	OFB_OBJ_TRIGGER,     /* created last: loading the data fires none */
	OFB_OBJ_EXTENSION,   /* PostgreSQL extensions the database uses, made first */
	OFB_OBJ_COMMENT,     /* comments on tables, views and columns */
	OFB_OBJ_KINDS
};

/* When a restore creates an object: before the tables (types, domains, sequences and
 * routines the tables' defaults, checks and indexes may use), or after the data, ordered
 * by dependencies. */
enum ofb_obj_phase { OFB_PHASE_BEFORE_TABLES, OFB_PHASE_AFTER_DATA };

struct ofb_schema;

struct ofb_obj_ref {
	enum ofb_obj_kind kind;
	char *name;
	char *schema;         /* NULL: the database's default schema */
};

struct ofb_object {
	enum ofb_obj_kind kind;
	char *name;           /* a PostgreSQL routine's name with its argument types */
	char *schema;         /* its schema (and its table's) when not the default one */
	char *table;          /* trigger, constraint: the table it belongs to; else NULL */
	char *native_ddl;     /* exactly one statement of the engine's own SQL */
	/* objects of this database it needs to exist first, as the catalog records them */
	struct ofb_obj_ref *depends;
	size_t n_depends;
	int depends_on_tables;   /* it reads tables or views (PostgreSQL routines whose body
				  * the engine checks at creation): created after the data */
	int has_state;           /* sequence: where it stands */
	long long last_value;
	int is_called;
};

const char *ofb_object_kind_name(enum ofb_obj_kind k);
/* -1 when name is not a kind's name. */
int ofb_object_kind_parse(const char *name, enum ofb_obj_kind *k);
enum ofb_obj_phase ofb_object_phase(const struct ofb_object *o);
void ofb_object_free(struct ofb_object *o);
/* A new object at the end of s->objects (ddl is taken over), and a dependency of o. */
struct ofb_object *ofb_schema_add_object(struct ofb_schema *s, enum ofb_obj_kind kind,
					 const char *name, const char *table, char *ddl);
void ofb_object_add_depend(struct ofb_object *o, enum ofb_obj_kind kind, const char *name,
			   const char *schema);
/* "schema.name", or the name alone in the default schema (malloc'd). */
char *ofb_object_label(const struct ofb_object *o);
/* The kind of statement o's native_ddl must be (sqlcheck.h), and the name it creates: o's
 * name without a routine's argument list (malloc'd). */
int ofb_object_sql_kind(const struct ofb_object *o);
char *ofb_object_ddl_name(const struct ofb_object *o);

struct ofb_schema {
	char *engine;          /* driver name: sqlite, postgresql, mariadb, sqlserver */
	char *dbms_name;       /* SQL_DBMS_NAME */
	char *dbms_version;    /* SQL_DBMS_VER */
	char *database;        /* catalog / schema the tables were read from, may be NULL */
	struct ofb_table *tables;
	size_t n_tables;
	struct ofb_object *objects;   /* views, triggers, routines, types ... */
	size_t n_objects;
	size_t n_views;        /* engines that read no objects: views left out, to warn of */
	char **notes;          /* ofb_schema_read: what was left out (unsafe to restore, or
				* not read), for the backup's warnings */
	size_t n_notes;
};

const char *ofb_ptype_name(enum ofb_ptype t);
/* -1 when name is not a portable type name. */
int ofb_ptype_parse(const char *name, enum ofb_ptype *t);
enum ofb_encoding ofb_ptype_encoding(enum ofb_ptype t);
/* Map an ODBC SQL type (as SQLColumns reports it) to a portable type; fills type,
 * length, precision, scale of col from the catalog's size and decimal digits. */
void ofb_column_set_from_sql(struct ofb_column *col, int sql_type, long size, int digits);
/* "decimal(12,4)", "varchar(40)", "timestamp(6)", "text" ... written into out. */
void ofb_column_portable_decl(const struct ofb_column *col, char *out, size_t n);

void ofb_key_free(struct ofb_key *k);
void ofb_table_free(struct ofb_table *t);
void ofb_schema_free(struct ofb_schema *s);
/* The table of that name in the database's default schema, or NULL. */
struct ofb_table *ofb_schema_find(struct ofb_schema *s, const char *name);
/* The table of that schema (NULL: the default one) and name, or NULL. */
struct ofb_table *ofb_schema_find_in(struct ofb_schema *s, const char *schema,
				     const char *name);
/* ofb_schema_find_in for catalog rows that come table by table: *last keeps the previous
 * answer (NULL at first), which is looked up again only when the row's table differs. */
struct ofb_table *ofb_schema_find_next(struct ofb_schema *s, const char *schema,
				       const char *name, struct ofb_table **last);
/* The column of t of that name, or NULL. */
struct ofb_column *ofb_table_column(struct ofb_table *t, const char *name);
/* "schema.name", or the name alone in the default schema (malloc'd), for messages and
 * entry names. */
char *ofb_table_label(const struct ofb_table *t);
/* Whether t has a column of bytes longer than 255 (or unbounded): its rows are then
 * mostly hex in the package, as a table of documents' are. */
int ofb_table_has_long_bytes(const struct ofb_table *t);
/* Order of tables by schema (the default one first), then name. */
int ofb_table_cmp(const struct ofb_table *a, const struct ofb_table *b);


/* Record the engine's own DDL of index name of t (adding the index when the catalog did not
 * list it, as for an index on expressions only); not_portable marks expressions or a
 * partial index. For drivers' table_extra hooks. */
void ofb_table_native_index(struct ofb_table *t, const char *name, const char *ddl,
			    int unique, int not_portable);


/* Everything a restore would send to a database from s, checked (schema_check.c): the
 * names, the column lists of keys and every piece of SQL text under the rules of s's
 * engine. 0, or -1 with err naming table and field. */
int ofb_schema_check(struct ofb_schema *s, struct ofb_error *err);
/* What would fail ofb_schema_check is taken out of s (the portable description stays),
 * with one malloc'd warning each in *warnings. */
void ofb_schema_vet(struct ofb_schema *s, char ***warnings, size_t *n);


#endif
