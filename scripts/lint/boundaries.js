// The package map as a lint rule: `catcast/package-boundaries` refuses an import that breaks the
// layers of package-map.json (docs/architecture.md), one that reaches into another package past
// its index.ts, and any import of a pkg/ folder the map does not place. No plugin dependency:
// the map is small, and resolving a relative specifier is one path.resolve.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import map from './package-map.json' with { type: 'json' };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Layer index and same-layer allowances of every mapped package. */
const PLACES = new Map();
map.layers.forEach((layer, index) => {
  for (const [name, within] of Object.entries(layer.packages))
    PLACES.set(name, { layer: layer.name, index, within: new Set(within) });
});

/** The lowest layers, which the browser bundle may import (pure, no Node API). */
const BROWSER_LAYERS = new Set([map.layers[0].name]);

/** `{ area: 'pkg' | 'cmd' | 'ui' | 'other', name, rest }` of a path relative to the repository. */
function unitOf(relative) {
  const parts = relative.split(path.sep).join('/').split('/');
  if (parts[0] === 'pkg' || parts[0] === 'cmd')
    return { area: parts[0], name: parts[1], rest: parts.slice(2).join('/') };
  if (parts[0] === 'ui' && parts[1] === 'src')
    return { area: 'ui', name: 'ui', rest: parts.slice(2).join('/') };
  return { area: 'other', name: parts[0], rest: parts.slice(1).join('/') };
}

const isTest = (file) => /\.test\.tsx?$/.test(file);

/** Why `from` (a repository-relative file) may not import `to` (repository-relative), or undefined. */
export function boundaryViolation(from, to) {
  const source = unitOf(from);
  const target = unitOf(to);
  if (source.area === 'other' || isTest(from)) return undefined;
  if (target.area === 'cmd' && !(source.area === 'cmd' && source.name === target.name))
    return `cmd/${target.name} is an entry point: nothing imports it`;
  if (
    target.area === 'other' &&
    (target.name === 'test' || target.name === 'bench' || target.name === 'scripts')
  )
    return `${target.name}/ is not part of the product: ${source.area}/ may not import it`;
  if (target.area !== 'pkg' || (source.area === 'pkg' && source.name === target.name)) return undefined;
  const place = PLACES.get(target.name);
  if (!place)
    return `pkg/${target.name} is not in the package map: place it in a layer of scripts/lint/package-map.json`;
  if (!/^index\.(ts|js|tsx)$/.test(target.rest))
    return `import pkg/${target.name} through its index.ts (its public surface), not ${target.rest}`;
  if (source.area === 'cmd') return undefined;
  if (source.area === 'ui')
    return BROWSER_LAYERS.has(place.layer)
      ? undefined
      : `the browser bundle may import only ${[...BROWSER_LAYERS].join(', ')} packages; pkg/${target.name} is in ${place.layer}`;
  const own = PLACES.get(source.name);
  if (!own)
    return `pkg/${source.name} is not in the package map: place it in a layer of scripts/lint/package-map.json`;
  if (place.index < own.index) return undefined;
  if (place.index === own.index && own.within.has(target.name)) return undefined;
  return place.index === own.index
    ? `pkg/${source.name} and pkg/${target.name} are both ${own.layer}; the map lets pkg/${source.name} import only ${[...own.within].map((n) => `pkg/${n}`).join(', ') || 'lower layers'} there`
    : `pkg/${source.name} (${own.layer}) may not import pkg/${target.name} (${place.layer}, a higher layer)`;
}

const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Imports follow the package map of docs/architecture.md (scripts/lint/package-map.json)',
    },
    messages: { boundary: '{{why}} (docs/architecture.md, package map)' },
    schema: [],
  },
  create(context) {
    const file = path.relative(ROOT, context.filename);
    function check(node) {
      const spec = node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined;
      if (!spec?.startsWith('.')) return;
      const target = path.relative(ROOT, path.resolve(path.dirname(context.filename), spec));
      const why = boundaryViolation(file, target);
      if (why) context.report({ node, messageId: 'boundary', data: { why } });
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // typescript-eslint 8 names the specifier `source`; older trees had `argument` (a literal type).
      TSImportType: (node) => check(node.source ?? node.argument?.literal),
    };
  },
};

/** The eslint plugin holding the rule. */
export const plugin = { meta: { name: 'catcast' }, rules: { 'package-boundaries': rule } };

/** Flat-config entries that turn the rule on for the product's code (pkg, cmd, the browser UI). */
export const boundaryConfigs = [
  {
    files: ['pkg/**/*.ts', 'cmd/**/*.ts', 'ui/src/**/*.ts', 'ui/src/**/*.tsx'],
    plugins: { catcast: plugin },
    rules: { 'catcast/package-boundaries': 'error' },
  },
];

/** The package map as the markdown table of docs/architecture.md. */
export function packageMapTable() {
  const rows = [['package', 'layer', 'may import']];
  map.layers.forEach((layer, index) => {
    const below = map.layers.slice(0, index).map((l) => l.name);
    for (const [name, within] of Object.entries(layer.packages)) {
      const allowed = [
        ...(below.length === 1 ? [`layer ${below[0]}`] : []),
        ...(below.length > 1 ? [`layers ${below[0]} to ${below.at(-1)}`] : []),
        ...within.map((n) => `pkg/${n}`),
      ];
      rows.push([`pkg/${name}`, layer.name, allowed.join('; ') || 'nothing of catcast']);
    }
  });
  rows.push(['cmd/*', 'entry points', 'every package, through its index.ts']);
  rows.push(['ui/src', 'browser', `layer ${[...BROWSER_LAYERS].join(', ')}`]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** The layers with their summaries, lowest first. */
export const layers = map.layers.map((l) => ({
  name: l.name,
  summary: l.summary,
  packages: Object.keys(l.packages),
}));
