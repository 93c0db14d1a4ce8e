import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Input,
  Progress,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
  type TableProps,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import {
  Capacity,
  CPE_KINDS,
  CpeHours,
  DEGREES,
  QUALIFICATION_KINDS,
  TITLE_LEVELS,
  type CpeEntry,
  type CpeKind,
  type Degree,
  type PersonRecord,
  type Qualification,
  type QualificationKind,
  type QualificationState,
  type TitleLevel,
} from '../../../common/schemas/people';
import { useWrite } from '../../api/queries';
import { cpeApi, peopleApi, workloadApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { FormDrawer } from '../../components/FormDrawer';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { firmToday } from '../../components/format';
import { Loaded } from '../../components/QueryState';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';

const STATE_COLORS: Record<QualificationState, string> = { valid: 'green', expiring: 'orange', expired: 'red' };
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);
/** Exact hours in hundredths (quarter hours have two decimals at most). */
const hundredths = (hours: string) => {
  const [whole, fraction = ''] = hours.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};
const INVALIDATES = [peopleApi.path, cpeApi.path];

/** The qualification's label: the kind's name, or its own for `other`. */
function useKindLabel() {
  const t = useT();
  return (q: { kind: QualificationKind; name: string | null }) =>
    q.kind === 'other' && q.name ? q.name : t(`qualification.${q.kind}`);
}

/**
 * 人员档案: a person's title, education and capacity, qualifications with their expiry (expired red, within 30
 * days orange), and this year's continuing education against the hours required, with entries. Administrators edit
 * the profile and qualifications; the person (and administrators) record training.
 */
export function PersonRecordView({ userId }: { userId: string }) {
  const t = useT();
  const query = useQuery({ queryKey: [peopleApi.path, userId], queryFn: () => peopleApi.get(userId) });
  const [editingProfile, setEditingProfile] = useState(false);
  const [qualification, setQualification] = useState<Qualification | null | undefined>(undefined);
  const [addingCpe, setAddingCpe] = useState(false);
  const record = query.data;

  return (
    <Flex vertical gap={16} data-testid="person-record">
      <Card
        title={t('people.profile')}
        extra={
          record?.canManage && (
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditingProfile(true)}>
              {t('people.editProfile')}
            </Button>
          )
        }
      >
        <Loaded query={query}>{() => record && <ProfileView record={record} />}</Loaded>
      </Card>
      <Card
        title={t('people.qualifications')}
        extra={
          record?.canManage && (
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => setQualification(null)}
              data-testid="qualification-add"
            >
              {t('people.addQualification')}
            </Button>
          )
        }
      >
        <Loaded query={query}>
          {() => record && <QualificationsTable record={record} onEdit={(q) => setQualification(q)} />}
        </Loaded>
      </Card>
      <Card
        title={record ? t('people.cpeYear', { year: record.cpe.year }) : t('people.cpe')}
        extra={
          record?.canEditCpe && (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setAddingCpe(true)} data-testid="cpe-add">
              {t('people.addCpe')}
            </Button>
          )
        }
      >
        <Loaded query={query}>{() => record && <CpeView record={record} />}</Loaded>
      </Card>
      {record?.canManage && (
        <>
          <ProfileDrawer open={editingProfile} record={record} onClose={() => setEditingProfile(false)} />
          <QualificationDrawer
            open={qualification !== undefined}
            userId={userId}
            practising={record.profile.practising}
            qualification={qualification ?? null}
            onClose={() => setQualification(undefined)}
          />
        </>
      )}
      {record?.canEditCpe && <CpeDrawer open={addingCpe} userId={userId} onClose={() => setAddingCpe(false)} />}
    </Flex>
  );
}

function ProfileView({ record }: { record: PersonRecord }) {
  const t = useT();
  const p = record.profile;
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, sm: 2, md: 3 }}
      items={[
        {
          key: 'title',
          label: t('people.titleLevel'),
          children: (
            <Space size={4} wrap>
              <Tag color={p.titleLevel === 'none' ? 'default' : 'blue'}>{t(`people.titleLevel.${p.titleLevel}`)}</Tag>
              {p.titleName}
            </Space>
          ),
        },
        { key: 'degree', label: t('people.degree'), children: p.degree ? t(`people.degree.${p.degree}`) : dash },
        { key: 'school', label: t('people.school'), children: p.school ?? dash },
        { key: 'major', label: t('people.major'), children: p.major ?? dash },
        {
          key: 'capacity',
          label: t('people.capacity'),
          children: t('people.capacityValue', { hours: p.weeklyCapacity }),
        },
      ]}
    />
  );
}

function QualificationsTable({ record, onEdit }: { record: PersonRecord; onEdit: (q: Qualification) => void }) {
  const t = useT();
  const label = useKindLabel();
  const { modal } = App.useApp();
  const toast = useErrorToast();
  const remove = useWrite((id: string) => peopleApi.deleteQualification(id), INVALIDATES);
  const columns: TableProps<Qualification>['columns'] = [
    {
      key: 'kind',
      title: t('people.qualificationKind'),
      // The certificate number beneath the name: one column less on a phone.
      render: (_, q) => (
        <Flex vertical gap={2}>
          <Space size={4} wrap>
            <Typography.Text strong>{label(q)}</Typography.Text>
            {q.practising !== null && (
              <Tag color={q.practising ? 'gold' : 'default'}>
                {t(q.practising ? 'people.practising' : 'people.notPractising')}
              </Tag>
            )}
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('people.certificateNoValue', { no: q.certificateNo })}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'expiresOn',
      title: t('people.expiresOn'),
      render: (_, q) => (
        <Space size={4} wrap style={{ minWidth: 96 }}>
          <span>{q.expiresOn ?? t('people.noExpiry')}</span>
          <Tag color={STATE_COLORS[q.state]} data-testid={`qualification-state-${q.state}`}>
            {t(`people.state.${q.state}`)}
          </Tag>
        </Space>
      ),
    },
    { key: 'issuedOn', title: t('people.issuedOn'), responsive: ['md'], render: (_, q) => q.issuedOn ?? '—' },
    ...(record.canManage
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, q: Qualification) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => onEdit(q)} aria-label={t('common.edit')}>
                  {t('common.edit')}
                </Button>
                <Button
                  type="link"
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('common.delete')}
                  onClick={() =>
                    modal.confirm({
                      title: t('people.deleteQualificationConfirm', { no: q.certificateNo }),
                      okButtonProps: { danger: true },
                      okText: t('common.delete'),
                      onOk: () => remove.mutateAsync(q.id).catch(toast),
                    })
                  }
                />
              </Space>
            ),
          },
        ]
      : []),
  ];
  return (
    <Table<Qualification>
      rowKey="id"
      size="small"
      pagination={false}
      scroll={{ x: 'max-content' }}
      dataSource={record.qualifications}
      columns={columns}
      locale={{ emptyText: <EmptyState title={t('people.noQualifications')} /> }}
      data-testid="qualifications-table"
    />
  );
}

function CpeView({ record }: { record: PersonRecord }) {
  const t = useT();
  const { modal } = App.useApp();
  const toast = useErrorToast();
  const remove = useWrite((id: string) => peopleApi.deleteCpe(id), INVALIDATES);
  const { hours, required, short } = record.cpe;
  const percent = hundredths(required) === 0 ? 100 : Math.floor((hundredths(hours) * 100) / hundredths(required));
  const isShort = short !== '0';
  const columns: TableProps<CpeEntry>['columns'] = [
    { key: 'takenOn', dataIndex: 'takenOn', title: t('people.takenOn'), width: 110 },
    { key: 'course', dataIndex: 'course', title: t('people.course') },
    { key: 'hours', dataIndex: 'hours', title: t('people.hours'), align: 'right', width: 70 },
    {
      key: 'kind',
      title: t('people.cpeKind'),
      responsive: ['sm'],
      render: (_, e) => t(`people.cpeKind.${e.kind}`),
    },
    ...(record.canEditCpe
      ? [
          {
            key: 'actions',
            width: 48,
            render: (_: unknown, e: CpeEntry) => (
              <Button
                type="link"
                size="small"
                danger
                icon={<DeleteOutlined />}
                aria-label={t('common.delete')}
                onClick={() =>
                  modal.confirm({
                    title: t('people.deleteCpeConfirm', { course: e.course }),
                    okButtonProps: { danger: true },
                    okText: t('common.delete'),
                    onOk: () => remove.mutateAsync(e.id).catch(toast),
                  })
                }
              />
            ),
          },
        ]
      : []),
  ];
  return (
    <Flex vertical gap={12}>
      <Flex vertical gap={4} data-testid="cpe-progress">
        <Flex justify="space-between" wrap gap={8}>
          <Typography.Text>
            {hundredths(required) === 0
              ? t('people.cpeNotRequired', { hours })
              : t('people.cpeProgress', { hours, required })}
          </Typography.Text>
          {hundredths(required) > 0 && (
            <Tag color={isShort ? 'orange' : 'green'}>
              {isShort ? t('people.cpeShortBy', { hours: short }) : t('people.cpeDone')}
            </Tag>
          )}
        </Flex>
        <Progress
          percent={Math.min(percent, 100)}
          status={isShort ? 'active' : 'success'}
          aria-label={`${Math.min(percent, 100)}%`}
        />
      </Flex>
      <Table<CpeEntry>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={record.cpe.entries}
        columns={columns}
        locale={{ emptyText: <EmptyState title={t('people.noCpe')} /> }}
        data-testid="cpe-table"
      />
    </Flex>
  );
}

type ProfileValues = {
  titleLevel: TitleLevel;
  titleName?: string;
  degree?: Degree;
  school?: string;
  major?: string;
  weeklyCapacity: string;
};
const PROFILE_FIELDS: FormFields = {
  names: ['titleLevel', 'titleName', 'degree', 'school', 'major', 'weeklyCapacity'],
};

function ProfileDrawer({ open, record, onClose }: { open: boolean; record: PersonRecord; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<ProfileValues>();
  const onError = useFormSubmitError(form, PROFILE_FIELDS);
  const userId = record.profile.userId;
  const save = useWrite(
    (v: ProfileValues) =>
      peopleApi.saveProfile(userId, {
        titleLevel: v.titleLevel,
        titleName: v.titleName || null,
        degree: v.degree ?? null,
        school: v.school || null,
        major: v.major || null,
        weeklyCapacity: v.weeklyCapacity,
      }),
    [...INVALIDATES, workloadApi.path],
  );
  useEffect(() => {
    if (!open) return;
    const p = record.profile;
    form.resetFields();
    form.setFieldsValue({
      titleLevel: p.titleLevel,
      titleName: p.titleName ?? undefined,
      degree: p.degree ?? undefined,
      school: p.school ?? undefined,
      major: p.major ?? undefined,
      weeklyCapacity: p.weeklyCapacity,
    });
  }, [open, record, form]);
  const submit = async (values: ProfileValues) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('common.saved'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('people.editProfileTitle', { name: record.profile.name })}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={480}
      saveTestId="profile-form-submit"
    >
      <Form<ProfileValues> form={form} layout="vertical" onFinish={submit} name="person-profile">
        <Form.Item
          name="titleLevel"
          label={t('people.titleLevel')}
          rules={[rules.required('people.titleLevel', 'select')]}
        >
          <Select options={TITLE_LEVELS.map((l) => ({ value: l, label: t(`people.titleLevel.${l}`) }))} />
        </Form.Item>
        <Form.Item name="titleName" label={t('people.titleName')} rules={[{ max: 100 }]}>
          <Input placeholder="中级会计师" />
        </Form.Item>
        <Form.Item name="degree" label={t('people.degree')}>
          <Select allowClear options={DEGREES.map((d) => ({ value: d, label: t(`people.degree.${d}`) }))} />
        </Form.Item>
        <Form.Item name="school" label={t('people.school')} rules={[{ max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="major" label={t('people.major')} rules={[{ max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="weeklyCapacity"
          label={t('people.capacity')}
          rules={[rules.required('people.capacity'), rules.schema(Capacity)]}
        >
          <Input inputMode="decimal" suffix="h" style={{ maxWidth: 160 }} />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}

type QualificationValues = {
  kind: QualificationKind;
  name?: string;
  certificateNo: string;
  issuedOn?: Dayjs | null;
  expiresOn?: Dayjs | null;
  practising?: boolean;
};
const QUALIFICATION_FIELDS: FormFields = {
  names: ['kind', 'name', 'certificateNo', 'issuedOn', 'expiresOn', 'practising'],
};

function QualificationDrawer({
  open,
  userId,
  practising,
  qualification,
  onClose,
}: {
  open: boolean;
  userId: string;
  /** The person's practising flag now: a new CPA certificate keeps it unless changed. */
  practising: boolean;
  qualification: Qualification | null;
  onClose: () => void;
}) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<QualificationValues>();
  const onError = useFormSubmitError(form, QUALIFICATION_FIELDS);
  const kind = Form.useWatch('kind', form);
  const save = useWrite((v: QualificationValues) => {
    const body = {
      kind: v.kind,
      name: v.kind === 'other' ? v.name || null : null,
      certificateNo: v.certificateNo,
      issuedOn: day(v.issuedOn),
      expiresOn: day(v.expiresOn),
      ...(v.kind === 'cpa' ? { practising: Boolean(v.practising) } : {}),
    };
    return qualification
      ? peopleApi.updateQualification(qualification.id, body)
      : peopleApi.addQualification(userId, body);
  }, INVALIDATES);
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      qualification
        ? {
            kind: qualification.kind,
            name: qualification.name ?? undefined,
            certificateNo: qualification.certificateNo,
            issuedOn: qualification.issuedOn ? dayjs(qualification.issuedOn) : null,
            expiresOn: qualification.expiresOn ? dayjs(qualification.expiresOn) : null,
            practising: qualification.practising ?? false,
          }
        : { kind: 'cpa', practising },
    );
  }, [open, qualification, practising, form]);
  const submit = async (values: QualificationValues) => {
    try {
      await save.mutateAsync(values);
      void message.success(t(qualification ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t(qualification ? 'people.editQualification' : 'people.addQualification')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={480}
      saveTestId="qualification-form-submit"
    >
      <Form<QualificationValues> form={form} layout="vertical" onFinish={submit} name="qualification">
        <Form.Item
          name="kind"
          label={t('people.qualificationKind')}
          rules={[rules.required('people.qualificationKind', 'select')]}
        >
          <Select options={QUALIFICATION_KINDS.map((k) => ({ value: k, label: t(`qualification.${k}`) }))} />
        </Form.Item>
        {kind === 'other' && (
          <Form.Item
            name="name"
            label={t('people.qualificationName')}
            rules={[rules.required('people.qualificationName'), { max: 100 }]}
          >
            <Input />
          </Form.Item>
        )}
        <Form.Item
          name="certificateNo"
          label={t('people.certificateNo')}
          rules={[rules.required('people.certificateNo'), { max: 60 }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item name="issuedOn" label={t('people.issuedOn')} style={{ flex: '1 1 160px' }}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item
            name="expiresOn"
            label={t('people.expiresOn')}
            extra={t('people.noExpiryHint')}
            style={{ flex: '1 1 160px' }}
          >
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        {kind === 'cpa' && (
          <Form.Item name="practising" label={t('people.practisingSwitch')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </FormDrawer>
  );
}

type CpeValues = { takenOn: Dayjs; course: string; hours: string; kind: CpeKind };
const CPE_FIELDS: FormFields = { names: ['takenOn', 'course', 'hours', 'kind'] };

function CpeDrawer({ open, userId, onClose }: { open: boolean; userId: string; onClose: () => void }) {
  const t = useT();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<CpeValues>();
  const onError = useFormSubmitError(form, CPE_FIELDS);
  const save = useWrite(
    (v: CpeValues) =>
      peopleApi.addCpe(userId, { takenOn: day(v.takenOn)!, course: v.course, hours: v.hours, kind: v.kind }),
    INVALIDATES,
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({ takenOn: dayjs(firmToday()), kind: 'online' });
  }, [open, form]);
  const submit = async (values: CpeValues) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={t('people.addCpe')}
      onSave={() => form.submit()}
      saving={save.isPending}
      width={480}
      saveTestId="cpe-form-submit"
    >
      <Form<CpeValues> form={form} layout="vertical" onFinish={submit} name="cpe-entry">
        <Form.Item name="takenOn" label={t('people.takenOn')} rules={[rules.required('people.takenOn', 'select')]}>
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(firmToday()), 'day')} />
        </Form.Item>
        <Form.Item name="course" label={t('people.course')} rules={[rules.required('people.course'), { max: 200 }]}>
          <Input />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item
            name="hours"
            label={t('people.hours')}
            rules={[rules.required('people.hours'), rules.schema(CpeHours)]}
            style={{ flex: '1 1 120px' }}
          >
            <Input inputMode="decimal" suffix="h" />
          </Form.Item>
          <Form.Item
            name="kind"
            label={t('people.cpeKind')}
            rules={[rules.required('people.cpeKind', 'select')]}
            style={{ flex: '1 1 160px' }}
          >
            <Select options={CPE_KINDS.map((k) => ({ value: k, label: t(`people.cpeKind.${k}`) }))} />
          </Form.Item>
        </Flex>
      </Form>
    </FormDrawer>
  );
}
