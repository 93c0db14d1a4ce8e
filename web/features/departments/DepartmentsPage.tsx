import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Space, Switch, Typography, type TableProps } from 'antd';
import { useMemo, useState } from 'react';
import type { Department } from '../../../common/schemas/staff';
import { useAllDepartments } from '../../api/queries';
import { departmentsApi, usersApi } from '../../api/resources';
import { buildDepartmentTree, type DepartmentNode } from '../../components/department-tree';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { PageContainer } from '../../components/PageContainer';
import { ActiveAndDeleteActions } from '../../components/RecordActions';
import { StatusTag } from '../../components/StatusTag';
import { useT } from '../../i18n';
import { DepartmentFormModal, type DepartmentFormTarget } from './DepartmentFormModal';

/** Keeps the departments whose name matches, with their ancestors so the tree stays a tree. */
function filterTree(nodes: DepartmentNode[], q: string): DepartmentNode[] {
  const out: DepartmentNode[] = [];
  for (const node of nodes) {
    const children = node.children ? filterTree(node.children, q) : [];
    if (node.name.toLowerCase().includes(q) || children.length)
      out.push({ ...node, children: children.length ? children : undefined });
  }
  return out;
}

function allIds(nodes: DepartmentNode[]): string[] {
  return nodes.flatMap((n) => [n.id, ...(n.children ? allIds(n.children) : [])]);
}

function DepartmentActions({
  department,
  onEdit,
  onCreateChild,
}: {
  department: Department;
  onEdit: () => void;
  onCreateChild: () => void;
}) {
  const t = useT();
  return (
    <Space size={0}>
      {department.active && (
        <Button type="link" size="small" onClick={onCreateChild}>
          {t('department.createChild')}
        </Button>
      )}
      <Button type="link" size="small" onClick={onEdit}>
        {t('common.edit')}
      </Button>
      <ActiveAndDeleteActions
        record={department}
        setActive={(active) => departmentsApi.update(department.id, { active })}
        remove={() => departmentsApi.remove(department.id)}
        invalidates={[departmentsApi.path, usersApi.path]}
      />
    </Space>
  );
}

export function DepartmentsPage() {
  const t = useT();
  const departments = useAllDepartments();
  const [showInactive, setShowInactive] = useState(false);
  const [q, setQ] = useState('');
  const [target, setTarget] = useState<DepartmentFormTarget | null>(null);
  // Everything starts expanded; the user may fold branches away.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());

  const tree = useMemo(() => {
    const visible = (departments.data ?? []).filter((d) => showInactive || d.active);
    const roots = buildDepartmentTree(visible);
    return q.trim() ? filterTree(roots, q.trim().toLowerCase()) : roots;
  }, [departments.data, showInactive, q]);
  const expandedKeys = useMemo(() => allIds(tree).filter((id) => !collapsed.has(id)), [tree, collapsed]);
  const toggle = (expanded: boolean, id: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (expanded) next.delete(id);
      else next.add(id);
      return next;
    });

  const columns: TableProps<DepartmentNode>['columns'] = [
    {
      key: 'name',
      dataIndex: 'name',
      title: t('department.name'),
      render: (name: string, d) => (d.active ? name : <Typography.Text type="secondary">{name}</Typography.Text>),
    },
    {
      key: 'manager',
      title: t('department.manager'),
      width: 140,
      render: (_, d) => (d.managerName ? d.managerName : <Typography.Text type="secondary">—</Typography.Text>),
    },
    { key: 'userCount', dataIndex: 'userCount', title: t('department.userCount'), width: 80, align: 'right' },
    { key: 'status', title: t('common.status'), width: 100, render: (_, d) => <StatusTag active={d.active} /> },
    { key: 'sortOrder', dataIndex: 'sortOrder', title: t('common.sortOrder'), width: 80, align: 'right' },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, d) => (
        <DepartmentActions
          department={d}
          onEdit={() => setTarget({ mode: 'edit', department: d })}
          onCreateChild={() => setTarget({ mode: 'create', parent: d })}
        />
      ),
    },
  ];

  return (
    <PageContainer
      title={t('department.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setTarget({ mode: 'create', parent: null })}>
          {t('department.create')}
        </Button>
      }
    >
      <Card>
        <Flex gap={16} align="center" wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('department.searchPlaceholder')}
            aria-label={t('common.search')}
            style={{ width: 260 }}
            onChange={(e) => setQ(e.target.value)}
          />
          <Flex gap={8} align="center">
            <Switch
              size="small"
              checked={showInactive}
              onChange={setShowInactive}
              aria-label={t('department.showInactive')}
            />
            <Typography.Text>{t('department.showInactive')}</Typography.Text>
          </Flex>
        </Flex>
        <DataTable<DepartmentNode>
          data-testid="departments-table"
          columns={columns}
          dataSource={tree}
          query={departments}
          pagination={false}
          className="gd-nowrap"
          expandable={{
            expandedRowKeys: expandedKeys,
            onExpand: (expanded, d) => toggle(expanded, d.id),
            indentSize: 24,
          }}
          empty={
            <EmptyState
              title={t(q ? 'department.emptyFiltered' : 'department.empty')}
              hint={q ? undefined : t('department.emptyHint')}
            />
          }
        />
      </Card>
      <DepartmentFormModal target={target} onClose={() => setTarget(null)} />
    </PageContainer>
  );
}
