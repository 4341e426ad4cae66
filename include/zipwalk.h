/* zipwalk.h - explaining a zip file that does not open: a walk over its local headers that
 * tells a truncated file from a damaged one and names where it goes wrong. */
#ifndef OFB_ZIPWALK_H
#define OFB_ZIPWALK_H

struct buf;

/* Why the zip file at path does not open ; what gets the explanation. */
enum ofb_zip_verdict {
	OFB_ZIP_UNKNOWN,     /* the walk cannot tell, or the file is no zip */
	OFB_ZIP_TRUNCATED,   /* it runs into the end of the file */
	OFB_ZIP_DAMAGED,     /* it meets something wrong */
	OFB_ZIP_INTACT       /* it finds nothing wrong */
};
enum ofb_zip_verdict ofb_zip_diagnose(const char *path, struct buf *what);

#endif
