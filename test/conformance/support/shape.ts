/**
 * Structural shape of a JSON value, for checking that a simulator answers like the real system:
 * every leaf path (array items collapsed to `[]`) with its JSON type, and the sign of numbers.
 */
export type Leaf = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';
export interface Shape {
  types: Map<string, Set<Leaf>>;
  /** Signs seen at numeric paths: -1, 0, 1. */
  signs: Map<string, Set<number>>;
}

export function shapeOf(value: unknown): Shape {
  const shape: Shape = { types: new Map(), signs: new Map() };
  const add = <T>(map: Map<string, Set<T>>, path: string, item: T) => {
    const set = map.get(path) ?? new Set<T>();
    set.add(item);
    map.set(path, set);
  };
  const visit = (v: unknown, path: string) => {
    if (v === null) return add(shape.types, path, 'null');
    if (Array.isArray(v)) {
      add(shape.types, path, 'array');
      for (const item of v) visit(item, `${path}[]`);
      return;
    }
    if (typeof v === 'object') {
      add(shape.types, path, 'object');
      for (const [key, child] of Object.entries(v as Record<string, unknown>))
        visit(child, path ? `${path}.${key}` : key);
      return;
    }
    add(shape.types, path, typeof v as Leaf);
    if (typeof v === 'number') add(shape.signs, path, Math.sign(v));
  };
  visit(value, '');
  return shape;
}

export interface ShapeDifferences {
  /** Paths the simulator sends that the real answer does not have. */
  invented: string[];
  /** Paths both have, with types that never agree (null aside: either side may omit a value). */
  types: string[];
  /** Numeric paths where the real answer and the simulator have opposite signs. */
  signs: string[];
}

/** How a simulator's answer differs from a real one, path by path (`only` limits the paths). */
export function compareShapes(
  real: unknown,
  sim: unknown,
  only?: (path: string) => boolean,
): ShapeDifferences {
  const r = shapeOf(real);
  const s = shapeOf(sim);
  const keep = (path: string) => path !== '' && (only ? only(path) : true);
  const invented = [...s.types.keys()].filter((p) => keep(p) && !r.types.has(p));
  const types = [...s.types.entries()]
    .filter(([p]) => keep(p) && r.types.has(p))
    .filter(([p, simTypes]) => {
      const realTypes = [...r.types.get(p)!].filter((t) => t !== 'null');
      const ours = [...simTypes].filter((t) => t !== 'null');
      return realTypes.length > 0 && ours.length > 0 && !ours.some((t) => realTypes.includes(t));
    })
    .map(
      ([p, simTypes]) => `${p}: real ${[...r.types.get(p)!].join('|')}, simulator ${[...simTypes].join('|')}`,
    );
  const signs = [...s.signs.entries()]
    .filter(([p]) => keep(p) && r.signs.has(p))
    .filter(([p, simSigns]) => {
      const realSigns = [...r.signs.get(p)!].filter((x) => x !== 0);
      const ours = [...simSigns].filter((x) => x !== 0);
      return realSigns.length > 0 && ours.length > 0 && !ours.some((x) => realSigns.includes(x));
    })
    .map(
      ([p, simSigns]) => `${p}: real ${[...r.signs.get(p)!].join(',')}, simulator ${[...simSigns].join(',')}`,
    );
  return { invented, types, signs };
}
