/* job_thread.h - a thread that runs the jobs handed to it one at a time, kept for many of
 * them: starting a thread for each small job cost more than the job (a table of a few
 * rows read or loaded). */
#ifndef OFB_JOB_THREAD_H
#define OFB_JOB_THREAD_H

#include <pthread.h>

struct ofb_job_thread {
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void (*run)(void *job);
	void *job;                 /* handed over and not done yet */
	int quit;
};

/* job handed to t, to be run(job) there once the job before it is done; t is started
 * the first time (zeroed before). 0 when no thread is to be had (nothing runs then). */
int ofb_job_thread_give(struct ofb_job_thread *t, void (*run)(void *job), void *job);
/* Waits until the job handed to t is done. */
void ofb_job_thread_wait(struct ofb_job_thread *t);
/* t ended, after its job; nothing when it never started. It may be given jobs again. */
void ofb_job_thread_end(struct ofb_job_thread *t);

#endif
