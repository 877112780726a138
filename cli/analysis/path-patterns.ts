// Path templates on the TypeScript side (for lint and openapi): the same syntax as the plugin's
// assembly/routes/template.ts — "{param}" / "*" match one non-empty segment, a final
// "{rest...}" / "**" matches zero or more segments — plus the comparisons lint needs: a
// normalized key (the plugin files templates that differ only in parameter names under one trie
// node), overlap between two templates, and the specificity order the plugin applies.

export type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'catchAll'; name: string };

/** Parses a template; null when the plugin would reject it (the plugin's own error explains why). */
export function parseTemplate(path: string): Segment[] | null {
  if (!path.startsWith('/')) return null;
  const parts = path.slice(1).split('/');
  const out: Segment[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const last = i === parts.length - 1;
    if (p === '*') out.push({ kind: 'param', name: '*' });
    else if (p === '**') {
      if (!last) return null;
      out.push({ kind: 'catchAll', name: '**' });
    } else if (p.startsWith('{')) {
      if (!p.endsWith('}') || p.indexOf('}') !== p.length - 1) return null;
      const name = p.slice(1, -1);
      if (name.endsWith('...')) {
        if (!last) return null;
        out.push({ kind: 'catchAll', name: name.slice(0, -3) });
      } else out.push({ kind: 'param', name });
    } else out.push({ kind: 'literal', text: p });
  }
  return out;
}

/** Key under which the plugin's trie files a template: parameter names do not matter. */
export function templateKey(segs: Segment[]): string {
  return '/' + segs.map((s) => (s.kind === 'literal' ? s.text : s.kind === 'param' ? '{}' : '{...}')).join('/');
}

export function isExact(segs: Segment[]): boolean {
  return segs.every((s) => s.kind === 'literal');
}

const RANK = { literal: 0, param: 1, catchAll: 2 } as const;

/**
 * Negative when `a` is tried before `b` (more specific), positive when after, 0 for the same key.
 * Segments are compared from the left: literal beats parameter beats catch-all.
 */
export function compareSpecificity(a: Segment[], b: Segment[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = RANK[a[i]!.kind] - RANK[b[i]!.kind];
    if (d !== 0) return d;
  }
  return 0;
}

/** A concrete path both templates match, or null when they are disjoint. */
export function overlapExample(a: Segment[], b: Segment[]): string | null {
  const segs: string[] = [];
  const walk = (i: number, j: number): boolean => {
    const sa = a[i];
    const sb = b[j];
    if (sa?.kind === 'catchAll') {
      for (let k = j; k < b.length; k++) {
        const s = b[k]!;
        if (s.kind === 'catchAll') break;
        segs.push(s.kind === 'literal' ? s.text : 'x');
      }
      return true;
    }
    if (sb?.kind === 'catchAll') {
      for (let k = i; k < a.length; k++) {
        const s = a[k]!;
        if (s.kind === 'catchAll') break;
        segs.push(s.kind === 'literal' ? s.text : 'x');
      }
      return true;
    }
    if (sa === undefined || sb === undefined) return sa === sb;
    if (sa.kind === 'literal' && sb.kind === 'literal') {
      if (sa.text !== sb.text) return false;
      segs.push(sa.text);
    } else if (sa.kind === 'literal' || sb.kind === 'literal') {
      const text = sa.kind === 'literal' ? sa.text : (sb as { text: string }).text;
      if (text === '') return false; // a parameter needs a non-empty segment
      segs.push(text);
    } else segs.push('x');
    return walk(i + 1, j + 1);
  };
  return walk(0, 0) ? '/' + segs.join('/') : null;
}

/** A segment trie over templates, to find overlapping templates without comparing every pair. */
export class TemplateTrie {
  private readonly root = new TrieNode();

  insert(segs: Segment[], id: number): void {
    let node = this.root;
    for (const s of segs) {
      if (s.kind === 'catchAll') {
        node.catchAlls.push(id);
        return;
      }
      if (s.kind === 'param') node = node.param ??= new TrieNode();
      else {
        let child = node.literals.get(s.text);
        if (!child) node.literals.set(s.text, (child = new TrieNode()));
        node = child;
      }
    }
    node.ends.push(id);
  }

  /** Ids of inserted templates that match at least one path `segs` also matches. */
  overlapping(segs: Segment[]): Set<number> {
    const out = new Set<number>();
    this.query(segs, 0, this.root, out);
    return out;
  }

  private query(segs: Segment[], i: number, node: TrieNode, out: Set<number>): void {
    for (const id of node.catchAlls) out.add(id);
    if (i === segs.length) {
      for (const id of node.ends) out.add(id);
      return;
    }
    const s = segs[i]!;
    if (s.kind === 'catchAll') {
      node.collect(out);
      return;
    }
    if (s.kind === 'literal') {
      const child = node.literals.get(s.text);
      if (child) this.query(segs, i + 1, child, out);
      if (node.param && s.text !== '') this.query(segs, i + 1, node.param, out);
      return;
    }
    for (const [text, child] of node.literals) if (text !== '') this.query(segs, i + 1, child, out);
    if (node.param) this.query(segs, i + 1, node.param, out);
  }
}

class TrieNode {
  literals = new Map<string, TrieNode>();
  param: TrieNode | null = null;
  ends: number[] = [];
  catchAlls: number[] = [];

  collect(out: Set<number>): void {
    for (const id of this.ends) out.add(id);
    for (const id of this.catchAlls) out.add(id);
    for (const child of this.literals.values()) child.collect(out);
    this.param?.collect(out);
  }
}
