import type { Department } from '../../common/schemas/staff';

export type DepartmentNode = Department & { children?: DepartmentNode[] };

/**
 * The department tree from the API's flat list (parentId links), siblings in the server's
 * order. A department whose parent is not in the list becomes a root, so nothing is lost.
 */
export function buildDepartmentTree(departments: Department[]): DepartmentNode[] {
  const nodes = new Map<string, DepartmentNode>(departments.map((d) => [d.id, { ...d }]));
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}

/** Ids of a department and everything below it (a department cannot move under these). */
export function subtreeIds(departments: Department[], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of departments) {
      if (d.parentId && ids.has(d.parentId) && !ids.has(d.id)) {
        ids.add(d.id);
        grew = true;
      }
    }
  }
  return ids;
}
