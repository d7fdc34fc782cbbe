import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

const brand: MantineColorsTuple = ['#f0eeff', '#dcd8fb', '#b6adf3', '#8d80ec', '#6b5ae6', '#5543e2', '#4c3fd1', '#3c30b8', '#3429a5', '#292092'];

export const theme = createTheme({
  primaryColor: 'brand',
  primaryShade: 6,
  colors: { brand },
  fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  focusRing: 'auto',
  components: {
    Card: { defaultProps: { withBorder: true, radius: 'md', padding: 'lg' } },
    Modal: { defaultProps: { centered: true, radius: 'md', overlayProps: { backgroundOpacity: 0.45, blur: 2 }, closeButtonProps: { 'aria-label': 'Close dialog' } } },
    Select: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear selection' } } },
    MultiSelect: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear selection' } } },
    FileInput: { defaultProps: { clearButtonProps: { 'aria-label': 'Remove file' } } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } } },
    Badge: { defaultProps: { radius: 'sm', variant: 'light' } },
    Tooltip: { defaultProps: { withArrow: true, openDelay: 200 } },
  },
});

/** Text colours for light (tinted) badges and buttons, dark enough for 4.5:1 on their tint. */
const AA_TEXT: Record<string, string> = {
  green: '#1d6b2c',
  gray: 'var(--mantine-color-gray-8)',
  orange: '#9a4400',
  red: '#a61e1e',
  blue: 'var(--mantine-color-blue-9)',
  violet: 'var(--mantine-color-violet-9)',
  grape: 'var(--mantine-color-grape-9)',
  yellow: '#7a5400',
  teal: '#0b6b50',
  dark: 'var(--mantine-color-dark-9)',
  brand: 'var(--mantine-color-brand-9)',
};

/** Secondary text and light badges/buttons dark enough for WCAG AA contrast (axe finds no serious issue). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': AA_TEXT.red!,
    '--patron-positive': AA_TEXT.green!,
    '--patron-negative': AA_TEXT.red!,
    ...Object.fromEntries(Object.entries(AA_TEXT).flatMap(([c, v]) => [[`--mantine-color-${c}-light-color`, v], [`--mantine-color-${c}-outline`, v]])),
  },
  dark: {},
});
