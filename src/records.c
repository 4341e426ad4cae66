/* records.c - what a manifest record must hold (records.h): the rules for its fields, and
 * how its texts (mtime, mode) read; a bound on what a JSON text may hold. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "records.h"

static int two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int ofb_record_parse_mode(json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	int mode = 0;

	if (!s || strlen(s) != 4 || s[0] != '0')
		return -1;
	for (int i = 1; i < 4; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		mode = mode * 8 + (s[i] - '0');
	}
	return mode;
}

int ofb_record_parse_mtime(const char *s, struct timespec *ts)
{
	struct tm tm;
	int cent, year, mon, day, hour, min, sec;
	long nsec = 0, scale = 100000000L;
	const char *p = s + 19;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (strlen(s) < 20 || two_digits(s, &cent) || two_digits(s + 2, &year) || s[4] != '-' ||
	    two_digits(s + 5, &mon) || s[7] != '-' || two_digits(s + 8, &day) || s[10] != 'T' ||
	    two_digits(s + 11, &hour) || s[13] != ':' || two_digits(s + 14, &min) ||
	    s[16] != ':' || two_digits(s + 17, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (!scale)
				return -1;   /* finer than nanoseconds */
			nsec += (*p - '0') * scale;
			scale /= 10;
		}
		if (p == s + 20)
			return -1;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	tm.tm_year = cent * 100 + year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(cent == 19 && year == 69))
		return -1;
	ts->tv_sec = t;
	ts->tv_nsec = nsec;
	return 0;
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

int ofb_record_count_valid(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* The fields later steps rely on, so they need not check again. */
const char *ofb_record_problem(const char *path, json_t *rec)
{
	json_t *type = json_object_get(rec, "type"), *sha = json_object_get(rec, "sha256");
	json_t *mtime = json_object_get(rec, "mtime"), *rows = json_object_get(rec, "rows");
	json_t *vanished = json_object_get(rec, "vanished"), *mode = json_object_get(rec, "mode");
	int is_dir = path[strlen(path) - 1] == '/';
	struct timespec ts;

	if (type && !(json_is_string(type) && strcmp(json_string_value(type), "dir") == 0))
		return "the manifest gives an unknown type";
	if (!type != !is_dir)
		return type ? "the manifest calls it a folder" : "the manifest calls it a file";
	if (!is_dir && (!ofb_record_count_valid(json_object_get(rec, "size")) ||
			!json_is_string(sha) || !is_sha256_hex(json_string_value(sha))))
		return "the manifest gives no valid size and SHA-256";
	if (mtime && (!json_is_string(mtime) ||
		      ofb_record_parse_mtime(json_string_value(mtime), &ts)))
		return "the manifest's mtime is not a UTC time YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ";
	if (mode && ofb_record_parse_mode(mode) < 0)
		return "the manifest's mode is not permission bits such as \"0640\"";
	if (rows && !ofb_record_count_valid(rows))
		return "the manifest's row count is not a number";
	/* extraction leaves a vanished file out: it must be one that holds nothing */
	if (vanished && !json_is_boolean(vanished))
		return "the manifest's \"vanished\" is neither true nor false";
	if (vanished && json_is_true(vanished) &&
	    (is_dir || json_integer_value(json_object_get(rec, "size")) != 0))
		return "the manifest's \"vanished\" is set for what is no empty file";
	return NULL;
}

size_t ofb_json_values(const char *text, size_t len)
{
	size_t n = 1;
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == ',' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

