/** The admin tab's API shapes, declared once in contract/ (shared with the server). */
export type {
  Connection,
  CwLocation,
  DailyStat,
  DryRun,
  Mapping,
  MappingKind,
  MappingSet,
  OnboardingFailure,
  OnboardingProgress,
  OnboardingRequest,
  OnboardingRun,
  Option,
  SecurityRole,
  Settings,
} from '../../../contract/admin.js';
export type {
  BudgetUse,
  Health,
  HealthProblem,
} from '../../../contract/health.js';
