import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

export interface PodBundles {
  /** The real pod-ui, built with base `/pod/` as production serves it. */
  podUiDir: string;
  /** `hosted-client.js`: the hosted-API client alone, for the test pod page. */
  hostedClientDir: string;
}

/**
 * Builds into a fresh temp dir, never dist/: other work in the tree may be building the UI at the
 * same time, and the real build empties its outDir.
 */
export async function buildPodBundles(): Promise<PodBundles> {
  const root = await mkdtemp(join(tmpdir(), 'ledgerpod-e2e-'));
  const podUiDir = join(root, 'pod-ui');
  const hostedClientDir = join(root, 'hosted');
  await buildPodUi(podUiDir);
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      lib: { entry: 'pod-ui/src/hosted/index.ts', formats: ['es'], fileName: () => 'hosted-client.js' },
      outDir: hostedClientDir,
      emptyOutDir: true,
      minify: false,
      target: 'es2020',
    },
  });
  return { podUiDir, hostedClientDir };
}

/** The real pod-ui with the production config (base `/pod/`), into `outDir` instead of dist/pod-ui. */
export async function buildPodUi(outDir: string): Promise<void> {
  await build({
    configFile: 'pod-ui/vite.config.ts',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}
