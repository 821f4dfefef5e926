import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AuthorizedFetch } from '../api/client.js';
import type { Role } from '../api/types.js';
import type { HostedApi } from '../hosted/index.js';

/** What every screen needs from the sign-in: the fetch with our token, the member's role, ConnectWise. */
export interface Pod {
  fetch: AuthorizedFetch;
  role: Role;
  memberName: string;
  hosted: Pick<HostedApi, 'openScreen' | 'refreshScreen' | 'onEvent'>;
}

export const PodContext = createContext<Pod | undefined>(undefined);

export function usePod(): Pod {
  const pod = useContext(PodContext);
  if (!pod) throw new Error('usePod outside PodContext');
  return pod;
}

const rank: Record<Role, number> = { viewer: 0, accountant: 1, admin: 2 };

/** Admins can do everything accountants can. */
export const atLeast = (role: Role, needed: Role) => rank[role] >= rank[needed];
