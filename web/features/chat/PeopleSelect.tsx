import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { useDebounced } from '../../components/use-debounced';
import { useT } from '../../i18n';
import { chatApi } from './api';

type Props = {
  value?: string | string[];
  onChange?: (value: string | string[]) => void;
  multiple?: boolean;
  /** People not to offer (already members, oneself). */
  exclude?: string[];
  'data-testid'?: string;
};

/** Colleagues found by name as one types (GET /chat/people), for starting a conversation or adding members. */
export function PeopleSelect({ value, onChange, multiple = false, exclude = [], 'data-testid': testId }: Props) {
  const t = useT();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const people = useQuery({
    queryKey: ['/api/v1/chat/people', q],
    queryFn: () => chatApi.people(q || undefined),
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  });
  // Names of those already picked stay known while the search shows others.
  const [known, setKnown] = useState<Map<string, string>>(new Map());
  const found = (people.data ?? []).filter((p) => !exclude.includes(p.id));
  const options = [
    ...found.map((p) => ({ value: p.id, label: p.department ? `${p.name}（${p.department}）` : p.name })),
    ...[...known.entries()]
      .filter(([id]) => !found.some((p) => p.id === id))
      .map(([id, name]) => ({ value: id, label: name })),
  ];
  return (
    <Select
      mode={multiple ? 'multiple' : undefined}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      value={value}
      onChange={(next: string | string[]) => {
        const ids = Array.isArray(next) ? next : [next];
        setKnown((map) => {
          const copy = new Map(map);
          for (const id of ids) {
            const person = people.data?.find((p) => p.id === id);
            if (person) copy.set(id, person.name);
          }
          return copy;
        });
        onChange?.(next);
      }}
      options={options}
      loading={people.isFetching}
      placeholder={t('chat.create.searchPeople')}
      notFoundContent={people.error ? t('result.loadFailed') : undefined}
      style={{ width: '100%' }}
      data-testid={testId}
    />
  );
}
