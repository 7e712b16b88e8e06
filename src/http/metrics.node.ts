import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import ipaddr from 'ipaddr.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AudioWork } from '../domain/ports/audio.js';
import type { EventBus } from '../domain/ports/events.js';
import { problemResponse } from './problem.js';

/** What the metrics read at each scrape: counts in the database and the state of this process. */
export interface MetricsSources {
  /** Jobs per status across every instance (`queued`, `running`, `done`, `failed`). */
  readonly jobsByStatus: () => Promise<Readonly<Record<string, number>>>;
  /** Jobs this process is running now. */
  readonly jobsRunningHere: () => number;
  /** Push channels this process holds open. */
  readonly channelsOpen: () => number;
  /** Receivers heard from within the online window, across every commune. */
  readonly receiversOnline: () => Promise<number>;
}

/**
 * The Prometheus metrics of one process (`prom-client`), with the process's own (memory, CPU, event
 * loop lag) beside Loa's. Node only: the edge profile has no process to scrape.
 */
export function createMetrics(role: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'loa_' });
  const requests = new Histogram({
    name: 'loa_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (to its headers: a push channel counts until it opens), by route pattern',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobs = new Histogram({
    name: 'loa_job_duration_seconds',
    help: 'Time a job ran in this process, by job name and how it ended (done, failed, retry, postponed)',
    labelNames: ['name', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const audioRatio = new Histogram({
    name: 'loa_audio_processing_ratio',
    help: 'Processing time of a recording divided by its duration (0.01: a minute of audio in 0.6 s)',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [registry],
  });
  const ticks = new Histogram({
    name: 'loa_dispatcher_tick_seconds',
    help: 'Time of a dispatcher tick, by whether this process held the leader lock',
    labelNames: ['leader'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const emergencies = new Histogram({
    name: 'loa_emergency_push_seconds',
    help: 'Time from hearing an emergency to having its pushes (phase "lookup") and to having written the last of them to this process\'s channels (phase "pushed")',
    labelNames: ['phase'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const reconnects = new Counter({
    name: 'loa_event_bus_reconnects_total',
    help: 'Times this process listened again on the shared event bus after losing its connection',
    registers: [registry],
  });

  return {
    registry,

    /** Wires the gauges read at each scrape, and counts the bus's reconnections. */
    watch(sources: MetricsSources, bus: EventBus): void {
      new Gauge({
        name: 'loa_jobs',
        help: 'Jobs in the shared queue by status (every instance)',
        labelNames: ['status'] as const,
        registers: [registry],
        async collect() {
          const counts = await sources.jobsByStatus();
          for (const status of ['queued', 'running', 'failed']) this.set({ status }, counts[status] ?? 0);
        },
      });
      new Gauge({
        name: 'loa_jobs_running_here',
        help: 'Jobs this process is running',
        registers: [registry],
        collect() {
          this.set(sources.jobsRunningHere());
        },
      });
      new Gauge({
        name: 'loa_sse_channels_open',
        help: 'Push channels (Server-Sent Events) of receivers held open by this process',
        registers: [registry],
        collect() {
          this.set(sources.channelsOpen());
        },
      });
      new Gauge({
        name: 'loa_receivers_online',
        help: 'Enabled receivers heard from within the online window (every commune)',
        registers: [registry],
        async collect() {
          this.set(await sources.receiversOnline());
        },
      });
      // The PostgreSQL bus announces `events-missed` each time it listens again after a loss.
      bus.subscribe((event) => {
        if (event.type === 'events-missed') reconnects.inc();
      });
    },

    /** Times every request; first in the chain so that receivers' requests count too. */
    observeRequests(): MiddlewareHandler {
      return async function observeRequests(c, next) {
        const started = performance.now();
        try {
          await next();
        } finally {
          // The route the router matched, also when a middleware answered first (a refused token):
          // requests that matched none share one label, so that paths sent by clients make no series.
          const route = matchedRoutes(c).findLast((r) => !r.path.endsWith('*'))?.path ?? 'unmatched';
          requests.observe(
            { method: c.req.method, route, status: String(c.res.status) },
            (performance.now() - started) / 1000,
          );
        }
      };
    },

    observeJob(name: string, outcome: string, seconds: number): void {
      jobs.observe({ name, outcome }, seconds);
    },

    observeTick(seconds: number, report: { readonly leader: boolean }): void {
      ticks.observe({ leader: String(report.leader) }, seconds);
    },

    observeEmergency(report: { readonly lookupMs: number; readonly pushedMs: number }): void {
      emergencies.observe({ phase: 'lookup' }, report.lookupMs / 1000);
      emergencies.observe({ phase: 'pushed' }, report.pushedMs / 1000);
    },

    /** The audio port, timed: each processed recording adds its processing ratio. */
    observeAudio(work: AudioWork): AudioWork {
      return {
        async process(source, targets) {
          const started = performance.now();
          const result = await work.process(source, targets);
          if (result.durationMs > 0) audioRatio.observe((performance.now() - started) / result.durationMs);
          return result;
        },
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

function isLoopback(c: Context): boolean {
  try {
    const address = getConnInfo(c).remote.address;
    if (!address) return false;
    const parsed = ipaddr.process(address);
    return parsed.range() === 'loopback';
  } catch {
    return false;
  }
}

/**
 * `GET /metrics` in Prometheus' text format. With `token` (METRICS_TOKEN) it wants that bearer token;
 * without, it answers only to the machine itself: a connection from the loopback address that no
 * reverse proxy forwarded (a proxy on the same host connects from loopback too, so a forwarded request
 * is refused), because the figures tell an outsider how busy the province is and which routes exist.
 */
export function metricsRoutes(metrics: Metrics, token: string | undefined) {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const allowed = token
      ? c.req.header('authorization') === `Bearer ${token}`
      : isLoopback(c) && !c.req.header('x-forwarded-for') && !c.req.header('forwarded');
    if (!allowed) {
      return problemResponse(c, {
        code: 'forbidden',
        status: 403,
        detail: token
          ? 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".'
          : 'The metrics answer only on this machine (loopback); set METRICS_TOKEN to read them from elsewhere.',
        detailVi: 'Không có quyền đọc số liệu vận hành.',
      });
    }
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
  return app;
}
