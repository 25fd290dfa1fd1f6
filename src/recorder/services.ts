import type { Protocol } from 'devtools-protocol';
import { UsageError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';

export type ServiceName = Protocol.BackgroundService.ServiceName;

/** Every service the BackgroundService domain records, in the DevTools panel's order. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'backgroundFetch',
  'backgroundSync',
  'periodicBackgroundSync',
  'pushMessaging',
  'notifications',
  'paymentHandler',
] as const;

export type ServiceSelection = ServiceName | 'all';

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** Expand 'all', validate, de-duplicate; unknown names get a "did you mean". */
export function parseServices(input: readonly string[] | string | undefined): ServiceName[] {
  const list = input === undefined ? ['backgroundFetch'] : typeof input === 'string' ? [input] : [...input];
  const out = new Set<ServiceName>();
  for (const raw of list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (raw === 'all') {
      for (const s of SERVICE_NAMES) out.add(s);
    } else if (isServiceName(raw)) {
      out.add(raw);
    } else {
      const hint = didYouMean(raw, [...SERVICE_NAMES, 'all']);
      throw new UsageError(
        `Unknown background service "${raw}".` +
          (hint ? ` Did you mean \`${hint}\`?` : '') +
          ` Valid: ${SERVICE_NAMES.join(', ')}, or all.`,
      );
    }
  }
  if (out.size === 0) throw new UsageError(`No background service given. Valid: ${SERVICE_NAMES.join(', ')}, or all.`);
  return [...out];
}
