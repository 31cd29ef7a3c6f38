/**
 * The DORA four per environment, and the promotion findings, from a RepoHistory: pure arithmetic over the
 * deployments and arrivals the walk found (docs/history.md says how each figure is defined).
 */
import { earlierStages } from '../promote/promotionOrder';
import { describeVersion } from '../promote/imageRef';
import type { Arrival, CurrentState, DoraReport, EnvironmentDora, PromotionFinding, RepoHistory } from './types';

const DAY = 86_400_000;

type StartFrom = 'first-environment' | 'commit-trailer' | 'oci-label';

/** The four metrics per environment, the promotion lead time per chain and the promotion findings. */
export function doraMetrics(history: RepoHistory): DoraReport {
  const since = Date.parse(history.since);
  const now = Date.parse(history.now);
  const inWindow = (date: string) => Date.parse(date) >= since && Date.parse(date) <= now;
  // Arrivals before the window count as "already there": no lead time, but a stage that ran it.
  const arrivals = history.arrivals;
  const arrivalIn = new Map<string, Arrival>();
  for (const a of arrivals) arrivalIn.set(`${a.environment}\0${a.artifact}`, a);
  const startOf = (artifact: string, chain: string[] | undefined): { time: number; from: StartFrom } | undefined => {
    const own = arrivals
      .filter((a) => a.artifact === artifact && a.sourceTime)
      .map((a) => ({ time: Date.parse(a.sourceTime!.time), from: a.sourceTime!.from }))
      .sort((a, b) => a.time - b.time)[0];
    if (own) return own;
    if (!chain) return undefined;
    const first = arrivalIn.get(`${chain[0]}\0${artifact}`);
    return first?.commit && inWindow(first.commit.date)
      ? { time: Date.parse(first.commit.date), from: 'first-environment' }
      : undefined;
  };
  const chainOf = (env: string) => history.promotion.find((c) => c.includes(env));

  const environments: EnvironmentDora[] = history.environments.map((eh) => {
    const deployments = eh.deployments.filter((d) => inWindow(d.commit.date));
    const days = Math.max((now - since) / DAY, 1 / 24);
    const failed = deployments.filter((d) => d.failed);
    const restore = failed.map((d) => d.undone!.afterSeconds).sort((a, b) => a - b);
    const chain = chainOf(eh.environment);
    const samples: EnvironmentDora['leadTime']['samples'] = [];
    for (const a of arrivals) {
      if (a.environment !== eh.environment || !a.commit || !inWindow(a.commit.date)) continue;
      const start = startOf(a.artifact, chain);
      if (!start || (start.from === 'first-environment' && chain?.[0] === eh.environment)) continue;
      const seconds = (Date.parse(a.commit.date) - start.time) / 1000;
      if (seconds >= 0) samples.push({ artifact: a.artifact, seconds, startFrom: start.from });
    }
    const leadSeconds = samples.map((s) => s.seconds).sort((a, b) => a - b);
    return {
      environment: eh.environment,
      deploymentFrequency: {
        deployments: deployments.length,
        days: round(days),
        perDay: round(deployments.length / days),
        perWeek: round((deployments.length / days) * 7),
        weekly: weekly(
          deployments.map((d) => d.commit.date),
          since,
          now,
        ),
      },
      leadTime: { artifacts: samples.length, ...stats(leadSeconds), samples },
      changeFailureRate: {
        deployments: deployments.length,
        failed: failed.length,
        ...(deployments.length ? { rate: round(failed.length / deployments.length) } : {}),
      },
      timeToRestore: { restored: restore.length, ...stats(restore), samples: restore },
    };
  });

  const promotionLeadTime = history.promotion.map((chain) => {
    const last = chain[chain.length - 1];
    const samples: DoraReport['promotionLeadTime'][number]['samples'] = [];
    for (const a of arrivals) {
      if (a.environment !== last || !a.commit || !inWindow(a.commit.date)) continue;
      const start = startOf(a.artifact, chain);
      if (!start) continue;
      const seconds = (Date.parse(a.commit.date) - start.time) / 1000;
      if (seconds >= 0) samples.push({ artifact: a.artifact, seconds, startFrom: start.from });
    }
    const sorted = samples.map((s) => s.seconds).sort((a, b) => a - b);
    return { chain, artifacts: samples.length, ...stats(sorted), samples };
  });

  return {
    since: history.since,
    now: history.now,
    failureWindowDays: history.failureWindowDays,
    environments,
    promotionLeadTime,
    findings: [
      ...skippedStages(history, inWindow),
      ...tagDigestMismatches(history.current, history.promotion, history.head),
      ...topologyFindings(history.current, history.promotion, history.head),
    ],
  };
}

/** Median (mean of the middle two for an even count) and p90 (nearest rank) of ascending figures. */
export function stats(sorted: readonly number[]): { medianSeconds?: number; p90Seconds?: number } {
  if (!sorted.length) return {};
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)];
  return { medianSeconds: median, p90Seconds: p90 };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Deployments per ISO week (weeks start on Monday, UTC) from the week of `since` to that of `now`. */
function weekly(dates: string[], since: number, now: number): { weekStart: string; deployments: number }[] {
  const monday = (t: number) => {
    const d = new Date(t);
    const day = (d.getUTCDay() + 6) % 7;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - day * DAY;
  };
  const out: { weekStart: string; deployments: number }[] = [];
  const index = new Map<number, number>();
  for (let w = monday(since); w <= now; w += 7 * DAY) {
    index.set(w, out.length);
    out.push({ weekStart: new Date(w).toISOString().slice(0, 10), deployments: 0 });
  }
  for (const date of dates) {
    const i = index.get(monday(Date.parse(date)));
    if (i !== undefined) out[i].deployments++;
  }
  return out;
}

/**
 * An artifact reaching an environment (in the window) that never ran in an earlier stage before then, where that
 * stage ran the same image at some point (an image only one environment ever runs is no promotion).
 */
function skippedStages(history: RepoHistory, inWindow: (date: string) => boolean): PromotionFinding[] {
  const findings: PromotionFinding[] = [];
  const imagesOf = new Map<string, Set<string>>();
  for (const a of history.arrivals) {
    let set = imagesOf.get(a.environment);
    if (!set) imagesOf.set(a.environment, (set = new Set()));
    set.add(a.image);
  }
  for (const a of history.arrivals) {
    if (!a.commit || !inWindow(a.commit.date)) continue;
    const when = Date.parse(a.commit.date);
    const skipped = earlierStages(history.promotion, a.environment).filter((stage) => {
      if (!imagesOf.get(stage)?.has(a.image)) return false;
      const there = history.arrivals.find((b) => b.environment === stage && b.artifact === a.artifact);
      return !there || (there.commit !== undefined && Date.parse(there.commit.date) > when);
    });
    if (!skipped.length) continue;
    findings.push({
      kind: 'skipped-stage',
      environment: a.environment,
      message: `${a.image} ${describeVersion({ name: a.image, ...a.version })} reached ${a.environment} in ${a.commit.sha.slice(0, 7)} (${a.commit.subject}) without running in ${skipped.join(', ')} first`,
      ...(a.at ? { at: a.at } : {}),
      commit: a.commit.sha,
    });
  }
  return findings;
}

/** One image tag running under different digests in two environments (at the head). */
function tagDigestMismatches(current: CurrentState[], chains: string[][], head: string): PromotionFinding[] {
  const order = (env: string) => {
    for (const chain of chains) if (chain.includes(env)) return chain.indexOf(env);
    return Number.MAX_SAFE_INTEGER;
  };
  const byTag = new Map<string, { env: string; digest: string; at?: CurrentState['images'][number]['at'] }[]>();
  for (const state of current)
    for (const img of state.images) {
      if (!img.version.tag || !img.version.digest) continue;
      const key = `${img.image}:${img.version.tag}`;
      let list = byTag.get(key);
      if (!list) byTag.set(key, (list = []));
      if (!list.some((l) => l.env === state.environment && l.digest === img.version.digest))
        list.push({ env: state.environment, digest: img.version.digest, ...(img.at ? { at: img.at } : {}) });
    }
  const findings: PromotionFinding[] = [];
  for (const [tag, list] of byTag) {
    const sorted = [...list].sort((a, b) => order(a.env) - order(b.env));
    const first = sorted[0];
    for (const other of sorted.slice(1)) {
      if (other.digest === first.digest || other.env === first.env) continue;
      findings.push({
        kind: 'tag-digest-mismatch',
        environment: other.env,
        message: `${tag} is ${other.digest} in ${other.env} but ${first.digest} in ${first.env}: the same tag, another build`,
        ...(other.at ? { at: other.at } : {}),
        commit: head,
      });
    }
  }
  return findings;
}

/** An environment whose objects (kinds and names, namespaces aside) differ from the stage before it, at the head. */
function topologyFindings(current: CurrentState[], chains: string[][], head: string): PromotionFinding[] {
  const findings: PromotionFinding[] = [];
  const state = new Map(current.map((c) => [c.environment, c]));
  const seen = new Set<string>();
  for (const chain of chains)
    for (let i = 1; i < chain.length; i++) {
      const [before, after] = [state.get(chain[i - 1]), state.get(chain[i])];
      if (!before || !after || before.error || after.error || seen.has(`${before.environment}>${after.environment}`))
        continue;
      seen.add(`${before.environment}>${after.environment}`);
      const names = (s: CurrentState) => {
        // Each overlay's own Namespace (named as the namespace its objects are in) is the same place in every stage.
        const home = homeNamespace(s);
        return new Map(
          s.objects.map((o) => [
            o.ref.kind === 'Namespace' && o.ref.name === home
              ? 'Namespace <its namespace>'
              : `${o.ref.kind} ${o.ref.name}`,
            o,
          ]),
        );
      };
      const [a, b] = [names(before), names(after)];
      const extra = [...b.keys()].filter((k) => !a.has(k));
      const missing = [...a.keys()].filter((k) => !b.has(k));
      if (!extra.length && !missing.length) continue;
      const parts = [
        ...(extra.length ? [`has ${list(extra)} that ${before.environment} has not`] : []),
        ...(missing.length ? [`lacks ${list(missing)} that ${before.environment} has`] : []),
      ];
      const at = extra.length ? b.get(extra[0])!.at : after.objects[0]?.at;
      findings.push({
        kind: 'topology',
        environment: after.environment,
        message: `${after.environment} ${parts.join(', and ')}`,
        ...(at ? { at } : {}),
        commit: head,
      });
    }
  return findings;
}

/** The namespace most of an environment's namespaced objects are in (an overlay's `namespace:`). */
function homeNamespace(state: CurrentState): string | undefined {
  const counts = new Map<string, number>();
  for (const { ref } of state.objects)
    if (ref.namespace) counts.set(ref.namespace, (counts.get(ref.namespace) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function list(items: string[], max = 5): string {
  return items.slice(0, max).join(', ') + (items.length > max ? ` and ${items.length - max} more` : '');
}
