import { randomBytes, randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../errors.js';
import { idParam, sendPage } from '../paging.js';
import type { ConnectWiseState, IssuedMemberHash } from '../state.js';

/** Members over API keys, the signed-in member over cookies. */
export function memberRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.get('/system/members', (req, res) => sendPage(req, res, [...state.members.values()]));
  router.get('/system/members/:id', (req, res) => {
    const member = state.members.get(idParam(req));
    if (!member) throw notFound(`Member ${req.params.id}`);
    res.json(member);
  });
  router.get('/system/myMembers/info', (_req, res) => {
    const issued = res.locals.member as IssuedMemberHash | undefined;
    const member = issued && findMember(state, issued.memberId);
    if (!member) throw notFound('Member');
    res.json(myMemberInfo(member));
  });
  return router;
}

/**
 * The fields of CW's `MyMemberInfo` (connectwise-rest ManageTypes, getSystemMyMembersInfo), which is
 * not the whole Member: no securityRole, no email addresses (test/conformance/cw-endpoints.test.ts).
 */
const myMemberInfoFields = [
  'id',
  'identifier',
  'firstName',
  'middleInitial',
  'lastName',
  'fullName',
  'defaultEmail',
  'photo',
  'licenseClass',
  'inactiveFlag',
  'timeZone',
  'useBrowserLanguageFlag',
  'defaultLocation',
  'defaultDepartment',
  'workRole',
  'workType',
  'dailyCapacity',
  '_info',
] as const;

function myMemberInfo(member: Record<string, unknown>): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  for (const field of myMemberInfoFields) if (member[field] !== undefined) info[field] = member[field];
  info.fullName ??= [member.firstName, member.lastName].filter(Boolean).join(' ');
  return info;
}

const findMember = (state: ConnectWiseState, identifier: string) =>
  [...state.members.values()].find((m) => m.identifier.toLowerCase() === identifier.toLowerCase());

const memberAuthBody = z.object({ memberIdentifier: z.string().min(1), companyId: z.string().optional() });

/**
 * Simulator-only: signs a member in as CW would inside a pod, returning the exact `data` object of CW's
 * `getmemberauthentication` response. Only hashes issued here pass cookie auth.
 */
export function memberAuthRoutes(state: ConnectWiseState): Router {
  const router = Router();
  router.post('/__sim/member-auth', (req, res) => {
    const parsed = memberAuthBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'expected {memberIdentifier}', issues: parsed.error.issues });
      return;
    }
    const body = parsed.data;
    const member = findMember(state, body.memberIdentifier);
    if (!member) {
      res.status(404).json({ error: `no member ${body.memberIdentifier}` });
      return;
    }
    // Switch memberContext (state.ts): CW's documented example carries none (domain.md §8).
    const issued: IssuedMemberHash = {
      memberHash: randomBytes(24).toString('base64url'),
      memberId: member.identifier,
      companyId: body.companyId ?? state.defaultCompanyId,
      ...(state.behaviours.memberContext === 'absent' ? {} : { memberContext: randomUUID() }),
    };
    state.memberHashes.set(issued.memberHash, issued);
    res.json({
      companyid: issued.companyId,
      memberid: issued.memberId,
      memberHash: issued.memberHash,
      ...(issued.memberContext === undefined ? {} : { memberContext: issued.memberContext }),
      memberEmail: member.primaryEmail ?? member.officeEmail ?? '',
      site: req.get('host'),
      codeBase: 'v4_6_release',
    });
  });
  router.post('/__sim/member-auth/revoke', (_req, res) => {
    state.memberHashes.clear();
    res.json({ ok: true });
  });
  return router;
}
