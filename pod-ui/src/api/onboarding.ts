import type { DryRun, OnboardingProgress, OnboardingRequest, OnboardingRun } from './admin-types.js';
import { type AuthorizedFetch, call } from './client.js';

export const previewOnboarding = (f: AuthorizedFetch, request: OnboardingRequest) =>
  call<DryRun>(f, 'POST', '/api/v1/onboarding', { ...request, dryRun: true });

export const startOnboarding = (f: AuthorizedFetch, request: OnboardingRequest) =>
  call<{ id: string }>(f, 'POST', '/api/v1/onboarding', { ...request, dryRun: false });

export const getOnboarding = (f: AuthorizedFetch, id: string) =>
  call<OnboardingProgress>(f, 'GET', `/api/v1/onboarding/${encodeURIComponent(id)}`);

/** Every kept run of the tenant, newest first. */
export const listOnboardingRuns = (f: AuthorizedFetch) =>
  call<{ runs: OnboardingRun[] }>(f, 'GET', '/api/v1/onboarding');
