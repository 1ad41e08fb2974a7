// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite"],
  // Separate build folders let a benchmark or test build run beside a dev server.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

module.exports = nextConfig;
