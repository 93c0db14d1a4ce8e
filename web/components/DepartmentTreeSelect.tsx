import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import type { Department } from '../../common/schemas/staff';
import { useAllDepartments } from '../api/queries';
import { buildDepartmentTree, type DepartmentNode } from './department-tree';

type TreeOption = { value: string; title: string; disabled?: boolean; children?: TreeOption[] };

function toOptions(nodes: DepartmentNode[], isDisabled: (d: Department) => boolean): TreeOption[] {
  return nodes.map((d) => ({
    value: d.id,
    title: d.name,
    disabled: isDisabled(d),
    children: d.children && toOptions(d.children, isDisabled),
  }));
}

type Props = (
  | { multiple?: false; value?: string | null; onChange?: (value: string | undefined) => void }
  /** Several departments (a condition "in these departments"). */
  | { multiple: true; value?: string[] | null; onChange?: (value: string[]) => void }
) & {
  placeholder?: string;
  /** Filters may pick inactive departments; forms may not. */
  allowInactive?: boolean;
  /** Departments that cannot be chosen (e.g. a department and its subtree as its own parent). */
  exclude?: Set<string>;
  style?: React.CSSProperties;
  'aria-label'?: string;
  id?: string;
};

/** Picks one department from the tree (or several, `multiple`). */
export function DepartmentTreeSelect({
  value,
  onChange,
  multiple = false,
  placeholder,
  allowInactive = false,
  exclude,
  style,
  id,
  ...rest
}: Props) {
  const { data, isLoading } = useAllDepartments();
  const treeData = useMemo(
    () =>
      toOptions(buildDepartmentTree(data ?? []), (d) => (!allowInactive && !d.active) || Boolean(exclude?.has(d.id))),
    [data, allowInactive, exclude],
  );
  return (
    <TreeSelect
      id={id}
      aria-label={rest['aria-label']}
      value={value ?? undefined}
      onChange={(v) => (onChange as ((value: unknown) => void) | undefined)?.(v ?? (multiple ? [] : undefined))}
      multiple={multiple}
      treeData={treeData}
      loading={isLoading}
      placeholder={placeholder}
      allowClear
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll
      style={style}
      popupMatchSelectWidth={false}
    />
  );
}
