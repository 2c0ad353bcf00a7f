// Topological order of stages; a cycle is reported with its full path (a → b → c → a).

export function topoOrder(ids: string[], deps: Map<string, string[]>): { order: string[] } | { cycle: string[] } {
  const state = new Map<string, 1 | 2>(); // 1 visiting, 2 done
  const order: string[] = [];
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (id: string): void => {
    if (cycle) return;
    const s = state.get(id);
    if (s === 2) return;
    if (s === 1) {
      cycle = [...stack.slice(stack.indexOf(id)), id];
      return;
    }
    state.set(id, 1);
    stack.push(id);
    for (const d of deps.get(id) ?? []) visit(d);
    stack.pop();
    state.set(id, 2);
    order.push(id);
  };
  for (const id of ids) visit(id);
  return cycle ? { cycle } : { order };
}
