import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Vendor code is split by library so that no chunk is huge and app changes keep vendor chunks cached. */
const VENDOR_GROUPS: { name: string; test: RegExp; priority: number }[] = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/, priority: 40 },
  { name: 'icons', test: /node_modules[\\/]@ant-design[\\/](icons|icons-svg)[\\/]/, priority: 30 },
  {
    name: 'antd-rc',
    test: /node_modules[\\/](@rc-component|rc-[\w-]+|@ant-design[\\/](cssinjs|cssinjs-utils|colors|fast-color|react-slick)|@babel[\\/]runtime|classnames|dayjs|stylis|@emotion)[\\/]/,
    priority: 20,
  },
  // antd alone is over 500 kB: its data-heavy components (tables, trees, date pickers) go apart.
  {
    name: 'antd-data',
    test: /node_modules[\\/]antd[\\/]es[\\/](table|tree|tree-select|date-picker|calendar|pagination|descriptions|time-picker)[\\/]/,
    priority: 15,
  },
  { name: 'antd', test: /node_modules[\\/]antd[\\/]/, priority: 10 },
  { name: 'vendor', test: /node_modules[\\/]/, priority: 0 },
];

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: VENDOR_GROUPS },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.GONGDAN_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
});
