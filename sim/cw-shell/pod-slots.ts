/** Where a screen embeds pods: the four places Ledgerpod registers itself in ConnectWise. */
export type PodSlotName = 'invoice' | 'company' | 'workbench' | 'admin';

export interface PodSlot {
  /** Hosted-setup URL with ConnectWise's `[cw_id]` and `[cw_screen]` tokens. */
  url: string;
  height?: number;
  title?: string;
}

export type PodSlots = Record<PodSlotName, PodSlot[]>;

export function defaultPodSlots(podBaseUrl: string): PodSlots {
  const at = (view: string) =>
    `${podBaseUrl.replace(/\/$/, '')}/pod/?view=${view}&screen=[cw_screen]&id=[cw_id]`;
  return {
    invoice: [{ url: at('invoice'), height: 320, title: 'Ledgerpod' }],
    company: [{ url: at('company'), height: 320, title: 'Ledgerpod' }],
    workbench: [{ url: at('workbench'), title: 'Ledgerpod Workbench' }],
    admin: [{ url: at('admin'), title: 'Ledgerpod Admin' }],
  };
}

/** Fills the tokens as ConnectWise does when it builds the iframe's src. */
export function podUrl(template: string, screen: string, id: string | number): string {
  return template
    .replaceAll('[cw_id]', encodeURIComponent(String(id)))
    .replaceAll('[cw_screen]', encodeURIComponent(screen));
}
