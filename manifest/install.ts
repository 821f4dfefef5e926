import type {
  ConnectWiseClient,
  HostedScreen,
  HostedSetup,
  HostedSetupInput,
} from '../server/connectwise/index.js';
import type { HostedApiManifest, ManifestEntry } from './manifest-schema.js';

/** The slice of the ConnectWise client the installer needs. */
export type HostedApiClient = Pick<
  ConnectWiseClient,
  'listHostedScreens' | 'listHostedSetups' | 'createHostedSetup' | 'updateHostedSetup'
>;

export interface InstallOptions {
  cw: HostedApiClient;
  manifest: HostedApiManifest;
  /** Ledgerpod's public URL, e.g. https://ledgerpod.example.com. */
  podBaseUrl: string;
  /** The tenant's ConnectWise browser origin, pinned into each URL as `cwOrigin=`. */
  cwOrigin: string;
  /** The integration's clientId GUID. */
  clientId: string;
  /** Named in each URL as `tenant=`, so only this tenant's ConnectWise may frame the pod. */
  tenantId: string;
}

export interface Placed {
  entry: string;
  description: string;
  screen: string;
  type: HostedSetup['type'];
  id: number;
  url: string;
}

export interface InstallReport {
  created: Placed[];
  updated: (Placed & { changed: string[] })[];
  unchanged: Placed[];
  fellBack: { entry: string; screen: string; type: string; reason: string }[];
  skipped: { entry: string; reason: string }[];
  /** Our setups on another screen than the one chosen now (e.g. an old fallback); left for an admin to remove. */
  stale: { entry: string; id: number; screen: string }[];
}

/** Only these fields are ours to keep in line; disabledFlag and locationIds stay as an admin set them. */
const managed = ['url', 'type', 'podHeight', 'origin', 'clientId'] as const;

/**
 * Registers the manifest's pods, tabs and buttons on the screens this ConnectWise offers. A setup is
 * recognised by description + screen, so running it again changes nothing, and an edited URL or height
 * is updated in place instead of registered twice.
 */
export async function installHostedApi(options: InstallOptions): Promise<InstallReport> {
  const { cw, manifest } = options;
  const screens = await cw.listHostedScreens();
  const existing = await cw.listHostedSetups();
  const report: InstallReport = {
    created: [],
    updated: [],
    unchanged: [],
    fellBack: [],
    skipped: [],
    stale: [],
  };

  for (const entry of manifest.entries) {
    const choice = choosePlacement(entry, screens);
    if (!choice) {
      const tried = [entry.screen, ...entry.fallbacks.map((f) => f.screen)].join(', ');
      report.skipped.push({
        entry: entry.key,
        reason: `this ConnectWise offers none of the screens ${tried}; nothing registered`,
      });
      continue;
    }
    const { placement, screen } = choice;
    if (placement !== entry) {
      report.fellBack.push({
        entry: entry.key,
        screen: screen.screenId,
        type: placement.type,
        reason: `this ConnectWise offers no ${entry.screen} screen for hosted ${entry.type.toLowerCase()}s; registered as a ${placement.type} on ${screen.screenId}: ${placement.why}`,
      });
    }
    const desired: HostedSetupInput = {
      screenId: screen.id,
      description: entry.description,
      url: absoluteUrl(options.podBaseUrl, placement.path ?? entry.path, options.cwOrigin, options.tenantId),
      type: placement.type,
      origin: new URL(options.podBaseUrl).origin,
      podHeight: placement.type === 'Pod' ? (placement.podHeight ?? entry.podHeight ?? null) : null,
      clientId: options.clientId,
      disabledFlag: false,
      locationIds: [],
    };
    const ours = existing.filter((s) => sameText(s.description, entry.description));
    for (const other of ours.filter((s) => s.screenId !== screen.id)) {
      const otherScreen = screens.find((s) => s.id === other.screenId)?.screenId ?? String(other.screenId);
      report.stale.push({ entry: entry.key, id: other.id, screen: otherScreen });
    }
    const current = ours.find((s) => s.screenId === screen.id);
    const placed = (setup: HostedSetup): Placed => ({
      entry: entry.key,
      description: entry.description,
      screen: screen.screenId,
      type: setup.type,
      id: setup.id,
      url: setup.url,
    });
    if (!current) {
      report.created.push(placed(await cw.createHostedSetup(desired)));
      continue;
    }
    const changes = Object.fromEntries(
      managed
        .filter((field) => !same(current[field], desired[field]))
        .map((field) => [field, desired[field]]),
    ) as Partial<HostedSetupInput>;
    const changed = Object.keys(changes);
    if (changed.length === 0) report.unchanged.push(placed(current));
    else report.updated.push({ ...placed(await cw.updateHostedSetup(current.id, changes)), changed });
  }
  return report;
}

type Placement = ManifestEntry | (ManifestEntry['fallbacks'][number] & { path?: string });

function choosePlacement(entry: ManifestEntry, screens: HostedScreen[]) {
  for (const placement of [entry, ...entry.fallbacks] as Placement[]) {
    const screen = screens.find((s) => sameText(s.screenId, placement.screen));
    if (screen) return { placement: placement as Placement & { why?: string }, screen };
  }
  return undefined;
}

/**
 * `podBaseUrl` + path, plus `cwOrigin=` so the pod answers only ConnectWise's window. Built as text:
 * URLSearchParams would percent-encode CW's `[cw_id]` tokens and CW would no longer fill them in.
 */
export function absoluteUrl(podBaseUrl: string, path: string, cwOrigin: string, tenantId: string): string {
  const base = podBaseUrl.replace(/\/+$/, '');
  const separator = path.includes('?') ? '&' : '?';
  return `${base}${path}${separator}tenant=${encodeURIComponent(tenantId)}&cwOrigin=${encodeURIComponent(new URL(cwOrigin).origin)}`;
}

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);
