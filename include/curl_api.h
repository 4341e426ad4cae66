/* curl_api.h - the part of libcurl that offsite copies and monitoring pings use, loaded
 * on their first use. Linked at build time, libcurl and the thirty libraries it needs
 * would be loaded and relocated at the start of every run (about 12 ms of a small
 * database's 50 ms backup), though most runs send nothing. */
#ifndef OFB_CURL_API_H
#define OFB_CURL_API_H

#include <curl/curl.h>
#include "error.h"

/* The shared library loaded: Debian's libcurl4 (its -dev package gives the headers). */
#define OFB_CURL_LIBRARY "libcurl.so.4"

struct ofb_curl {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	char *(*easy_escape)(CURL *c, const char *s, int n);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *s, unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **s, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
};

/* libcurl's functions, loaded and started (curl_global_init) on the first call, which must
 * come from the main thread before any other thread uses libcurl. NULL, with err saying
 * why, when the library cannot be loaded or started; a later call tries again. */
const struct ofb_curl *ofb_curl_load(struct ofb_error *err);

#endif
