import '../workbench/workbench.css';
import './admin.css';
import { useState } from 'preact/hooks';
import { LazyView } from '../ui/lazy-view.js';
import { usePod } from '../ui/pod-context.js';
import { Activity } from './activity.js';
import { Connections } from './connections.js';
import { Mappings } from './mappings.js';
import { OnboardingWizard } from './onboarding-wizard.js';
import { SettingsForm } from './settings-form.js';

/** Its own chunk: read only by admins who open it. */
const loadHealth = () => import('./health.js');

const sections = [
  { key: 'connections', label: 'Connections', View: Connections },
  { key: 'mappings', label: 'Mappings', View: Mappings },
  { key: 'settings', label: 'Roles & schedule', View: SettingsForm },
  { key: 'onboarding', label: 'Onboarding', View: OnboardingWizard },
  { key: 'activity', label: 'Activity', View: Activity },
  { key: 'health', label: 'Health', View: undefined },
] as const;

type Key = (typeof sections)[number]['key'];

export default function AdminTab() {
  const { memberName } = usePod();
  const [open, setOpen] = useState<Key>('connections');
  const { View } = sections.find((s) => s.key === open)!;
  return (
    <div class="tab">
      <header class="tab-head">
        <h1>Ledgerpod admin</h1>
        <span class="muted">Signed in as {memberName}</span>
      </header>
      <nav class="admin-nav" aria-label="Admin sections">
        {sections.map((s) => (
          <button
            key={s.key}
            type="button"
            class="queue"
            aria-current={s.key === open ? 'page' : undefined}
            data-testid={`admin-${s.key}`}
            onClick={() => setOpen(s.key)}
          >
            {s.label}
          </button>
        ))}
      </nav>
      {open === 'connections' ? (
        <Connections onOpen={setOpen} />
      ) : View ? (
        <View />
      ) : (
        <LazyView load={loadHealth} props={{ onOpen: setOpen }} />
      )}
    </div>
  );
}
