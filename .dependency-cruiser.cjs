/**
 * The server's layers (docs/architecture.md): a folder may import its own files and folders in a
 * lower layer, never one in its own layer or above. Checked by `npm run lint`.
 */
const layers = [
  ['shared'],
  ['db', 'crypto'],
  ['outbound'],
  ['connectwise', 'ledgers'],
  ['tenants', 'auth'],
  ['jobs'],
  ['records'],
  ['onboarding'],
  ['pipeline'],
  ['payments'],
  ['reconcile'],
  ['correction', 'close'],
  ['http'],
  ['app', 'demo'],
];

// Within a layer, these imports are allowed (one direction only).
const sideways = [
  ['crypto', 'db'],
  ['auth', 'tenants'],
  ['demo', 'app'],
];

const folder = (name) => `^server/${name}/`;
const rules = [];
layers.forEach((layer, rank) => {
  const notBelow = layers.slice(rank).flat();
  for (const name of layer) {
    const allowedSideways = sideways.filter(([from]) => from === name).map(([, to]) => to);
    const forbidden = notBelow.filter((other) => other !== name && !allowedSideways.includes(other));
    if (forbidden.length === 0) continue;
    rules.push({
      name: `layer-${name}`,
      comment: `server/${name} may only import folders below its layer (${forbidden.join(', ')} are not)`,
      severity: 'error',
      from: { path: folder(name) },
      to: { path: `^server/(${forbidden.join('|')})/` },
    });
  }
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: one of these modules belongs in a lower layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...rules,
    {
      name: 'only-composition-imports-main',
      comment: 'server/main.ts and server/migrate-cli.ts are entry points; nothing imports them',
      severity: 'error',
      from: {},
      to: { path: '^server/(main|migrate-cli)\\.ts$' },
    },
    {
      name: 'sim-only-server-shared',
      comment: 'the simulators share only contract/ and server/shared with the server',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: '^server/(?!shared/)' },
    },
    {
      name: 'pod-not-server-shared',
      comment: 'the pod bundle imports no server code at all, only contract/',
      severity: 'error',
      from: { path: '^pod-ui/' },
      to: { path: '^server/' },
    },
    {
      name: 'contract-stands-alone',
      comment: 'contract/ is the API both sides read: it imports nothing of either',
      severity: 'error',
      from: { path: '^contract/' },
      to: { path: '^(server|pod-ui|sim)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
  },
};
