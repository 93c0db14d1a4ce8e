import { describe, expect, test } from 'vitest';
import { WorkflowInput } from '../../../common/schemas/workflows';
import { formFieldOf, moveStep, newStep, removeStep, toInput, toValues, type FlowValues } from './workflow-form';

const USER = '00000000-0000-4000-8000-000000000001';
const DEPT = '00000000-0000-4000-8000-000000000002';

const step = (name: string, returnTo: number[] = []) => ({ ...newStep(), nameZh: name, nameEn: name, returnTo });
const names = (steps: FlowValues['steps']) => steps.map((s) => `${s.nameZh}${JSON.stringify(s.returnTo)}`);

describe('the approval flow editor', () => {
  test('sends only the chosen kind of approver, and a body the server schema accepts', () => {
    const values: FlowValues = {
      ...toValues(null, 'quote'),
      nameZh: ' 大额折扣 ',
      nameEn: 'Large discount',
      fallbackUserId: USER,
      conditions: [{ field: 'discountPercent', op: 'gt', value: '10' }],
      steps: [
        // A kind changed after another's fields were filled in: the old ones are not sent.
        { ...step('经理'), assignee: { kind: 'role-in-department', roleCode: 'manager', userId: USER } },
        { ...step('财务', [1]), assignee: { kind: 'department', departmentId: DEPT, roleCode: '' } },
      ],
    };
    const input = toInput(values);
    expect(input.nameZh).toBe('大额折扣');
    expect(input.steps.map((s) => s.assignee)).toEqual([
      { kind: 'role-in-department', roleCode: 'manager' },
      { kind: 'department', departmentId: DEPT, roleCode: null },
    ]);
    expect(WorkflowInput.safeParse(input).success).toBe(true);
  });

  test('moving a step keeps "return to" on the same steps, and drops what would point forward', () => {
    const steps = [step('A'), step('B', [1]), step('C', [1, 2])];
    expect(names(moveStep(steps, 2, -1))).toEqual(['A[]', 'C[1]', 'B[1]']);
    // B moved above A can no longer return to A (it comes after).
    expect(names(moveStep(steps, 1, -1))).toEqual(['B[]', 'A[]', 'C[1,2]']);
    expect(moveStep(steps, 0, -1)).toBe(steps);
  });

  test('removing a step renumbers the later ones and forgets returns to it', () => {
    const steps = [step('A'), step('B', [1]), step('C', [1, 2]), step('D', [3])];
    expect(names(removeStep(steps, 1))).toEqual(['A[]', 'C[1]', 'D[2]']);
  });

  test("a server error lands on the field it names, the schema's paths and the service's alike", () => {
    const values: FlowValues = {
      ...toValues(null, 'quote'),
      steps: [step('A'), { ...step('B'), assignee: { kind: 'relation' } }],
    };
    expect(formFieldOf('steps.1.assignee', values)).toEqual(['steps', 1, 'assignee', 'relation']);
    expect(formFieldOf('body.steps.0.assignee.userId', values)).toEqual(['steps', 0, 'assignee', 'userId']);
    expect(formFieldOf('steps.1.returnTo', values)).toEqual(['steps', 1, 'returnTo']);
    expect(formFieldOf('body.steps.1.returnTo.0', values)).toEqual(['steps', 1, 'returnTo']);
    expect(formFieldOf('conditions.0.value.2', values)).toEqual(['conditions', 0, 'value']);
    expect(formFieldOf('body.fallbackUserId', values)).toEqual(['fallbackUserId']);
    expect(formFieldOf('steps', values)).toEqual(['steps']);
    expect(formFieldOf('steps.7.nameZh', values)).toBeNull();
    expect(formFieldOf('body.somethingElse', values)).toBeNull();
  });
});
