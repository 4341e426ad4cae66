/* curl_api.c - libcurl loaded on first use (see curl_api.h). */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "curl_api.h"

static struct ofb_curl api;   /* filled once loaded and started */

/* Store the address of lib's function name into *fn (a function pointer of size bytes).
 * POSIX dlsym hands it over as a data pointer, which its platforms must let convert;
 * memcpy does that within ISO C. */
static int resolve(void *lib, const char *name, void *fn, size_t size, struct ofb_error *err)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		ofb_error_set(err, "cannot use libcurl (%s): it has no %s (7.62 or later is "
			      "needed)", OFB_CURL_LIBRARY, name);
		return -1;
	}
	memcpy(fn, &sym, size);
	return 0;
}

const struct ofb_curl *ofb_curl_load(struct ofb_error *err)
{
	CURLcode (*global_init)(long flags) = NULL;
	struct ofb_curl got;
	int failed = 0;
	void *lib;

	if (api.easy_init)
		return &api;
	lib = dlopen(OFB_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		ofb_error_set(err, "cannot load libcurl, which offsite copies and monitoring "
			      "pings need (Debian's package libcurl4): %s", dlerror());
		return NULL;
	}
#define OFB_CURL_RESOLVE(member, name) \
	failed = failed || resolve(lib, #name, &got.member, sizeof got.member, err);
	OFB_CURL_RESOLVE(easy_init, curl_easy_init)
	OFB_CURL_RESOLVE(easy_setopt, curl_easy_setopt)
	OFB_CURL_RESOLVE(easy_perform, curl_easy_perform)
	OFB_CURL_RESOLVE(easy_getinfo, curl_easy_getinfo)
	OFB_CURL_RESOLVE(easy_cleanup, curl_easy_cleanup)
	OFB_CURL_RESOLVE(easy_strerror, curl_easy_strerror)
	OFB_CURL_RESOLVE(easy_escape, curl_easy_escape)
	OFB_CURL_RESOLVE(free, curl_free)
	OFB_CURL_RESOLVE(slist_append, curl_slist_append)
	OFB_CURL_RESOLVE(slist_free_all, curl_slist_free_all)
	OFB_CURL_RESOLVE(url, curl_url)
	OFB_CURL_RESOLVE(url_set, curl_url_set)
	OFB_CURL_RESOLVE(url_get, curl_url_get)
	OFB_CURL_RESOLVE(url_cleanup, curl_url_cleanup)
#undef OFB_CURL_RESOLVE
	if (failed || resolve(lib, "curl_global_init", &global_init, sizeof global_init, err)) {
		dlclose(lib);
		return NULL;
	}
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ofb_error_set(err, "cannot start libcurl (curl_global_init failed)");
		dlclose(lib);
		return NULL;
	}
	/* kept loaded to the end of the run: libcurl's global state lives in it */
	api = got;
	return &api;
}
