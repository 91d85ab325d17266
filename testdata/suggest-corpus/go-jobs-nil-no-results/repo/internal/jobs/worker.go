// Package jobs runs background jobs from a queue.
package jobs

import (
	"context"
	"log"
	"time"
)

// Job is one unit of work.
type Job struct {
	ID       string
	Kind     string
	Attempts int
	RunAt    time.Time
}

// Queue hands out jobs.
type Queue interface {
	Next(ctx context.Context) (*Job, error)
	Retry(ctx context.Context, j *Job, at time.Time) error
}

// Worker takes jobs from a queue and runs them.
type Worker struct {
	queue    Queue
	handlers map[string]func(context.Context, *Job) error
	backoff  time.Duration
}

// retry puts a failed job back on the queue with a growing delay.
func (w *Worker) retry(ctx context.Context, job *Job, cause error) {
	log.Printf("job %s failed (attempt %d): %v", job.ID, job.Attempts, cause)
	delay := w.backoff * time.Duration(1<<min(job.Attempts, 6))
	if err := w.queue.Retry(ctx, job, time.Now().Add(delay)); err != nil {
		log.Printf("job %s: cannot retry: %v", job.ID, err)
	}
}

// Run takes jobs until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	for ctx.Err() == nil {
		job, err := w.queue.Next(ctx)
		if err != nil {
			w.retry(ctx, job, err)
			continue
		}
		if h, ok := w.handlers[job.Kind]; ok {
			if err := h(ctx, job); err != nil {
				w.retry(ctx, job, err)
			}
		}
	}
}
