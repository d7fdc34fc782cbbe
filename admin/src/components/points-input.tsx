import { TextInput, type TextInputProps } from '@mantine/core';

/**
 * A whole number of points, typed as text: what the person typed stays as typed (no digits
 * dropped or joined, so `1.5` never becomes 15), and `parseWholePoints` says what is wrong.
 */
export function PointsInput({ value, onChange, ...rest }: Omit<TextInputProps, 'value' | 'onChange'> & { value: string; onChange: (value: string) => void }) {
  return <TextInput inputMode="numeric" autoComplete="off" value={value} onChange={(e) => onChange(e.currentTarget.value)} {...rest} />;
}
