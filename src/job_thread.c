/* job_thread.c - a thread kept for a series of jobs (job_thread.h). */
#include "job_thread.h"

static void *job_thread_main(void *arg)
{
	struct ofb_job_thread *t = arg;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (!t->job && !t->quit)
			pthread_cond_wait(&t->cv, &t->mu);
		if (!t->job)
			break;
		pthread_mutex_unlock(&t->mu);
		t->run(t->job);
		pthread_mutex_lock(&t->mu);
		t->job = NULL;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int ofb_job_thread_give(struct ofb_job_thread *t, void (*run)(void *job), void *job)
{
	if (!t->started) {
		pthread_mutex_init(&t->mu, NULL);
		pthread_cond_init(&t->cv, NULL);
		t->job = NULL;
		t->quit = 0;
		if (pthread_create(&t->thread, NULL, job_thread_main, t) != 0) {
			pthread_mutex_destroy(&t->mu);
			pthread_cond_destroy(&t->cv);
			return 0;
		}
		t->started = 1;
	}
	pthread_mutex_lock(&t->mu);
	while (t->job)
		pthread_cond_wait(&t->cv, &t->mu);
	t->run = run;
	t->job = job;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	return 1;
}

void ofb_job_thread_wait(struct ofb_job_thread *t)
{
	if (!t->started)
		return;
	pthread_mutex_lock(&t->mu);
	while (t->job)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
}

void ofb_job_thread_end(struct ofb_job_thread *t)
{
	if (!t->started)
		return;
	pthread_mutex_lock(&t->mu);
	t->quit = 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	t->started = 0;
}
