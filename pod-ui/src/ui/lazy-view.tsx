import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ProblemBox } from './problem-box.js';

type Loader<P> = () => Promise<{ default: ComponentType<P> }>;

/** Loads a screen's chunk on first render, so the invoice pod never downloads the admin tab. */
export function LazyView<P extends object>({ load, props }: { load: Loader<P>; props: P }) {
  const [view, setView] = useState<{ Component?: ComponentType<P>; failed?: string }>({});
  useEffect(() => {
    load().then(
      (module) => setView({ Component: module.default }),
      (error: unknown) => setView({ failed: String(error) }),
    );
  }, [load]);
  if (view.failed)
    return (
      <ProblemBox
        problem={{
          code: 'chunk',
          message: 'This screen failed to load.',
          hint: 'Reload the ConnectWise screen.',
        }}
      />
    );
  if (!view.Component)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  return <view.Component {...props} />;
}
