/**
 * The layer rule (docs/architecture.md): a module may import its own layer or a lower one, never a higher one,
 * and no import cycle is allowed anywhere. `npm run lint` runs this check.
 */
const layers = [
  { name: 'text, copy and shared types', paths: ['^src/text/', '^src/copy/', '^src/core/', '^src/log\\.ts$'] },
  { name: 'content and store', paths: ['^src/content/', '^src/store/'] },
  { name: 'search', paths: ['^src/search/'] },
  { name: 'ingest, answer and digest', paths: ['^src/ingest/', '^src/answer/', '^src/digest/'] },
  { name: 'assistant', paths: ['^src/assistant/', '^src/eval/'] },
  { name: 'channels', paths: ['^src/channels/'] },
  { name: 'http', paths: ['^src/http/', '^src/metrics\\.ts$'] },
  { name: 'entry', paths: ['^src/app/', '^src/main\\.ts$', '^src/cli\\.ts$', '^src/config\\.ts$'] },
];

const upward = layers.flatMap((layer, i) =>
  layers.slice(i + 1).map((higher) => ({
    name: `no-upward-import`,
    comment: `${layer.name} must not import ${higher.name} (a higher layer)`,
    severity: 'error',
    from: { path: layer.paths },
    to: { path: higher.paths },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'import cycles make the layers meaningless', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-unlayered-module',
      comment: 'every source file belongs to a layer: add its folder to .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: layers.flatMap((l) => l.paths) },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
