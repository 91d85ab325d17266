// One dynamic import() per page: each bundler turns these into separate chunks.
const routes = {
  dashboard: () => import(/* webpackChunkName: "dashboard" */ './pages/dashboard.js'),
  settings: () => import(/* webpackChunkName: "settings" */ './pages/settings.js'),
  report: () => import(/* webpackChunkName: "report" */ './pages/report.js'),
};

export const routeNames = Object.keys(routes);

export async function navigate(name, context) {
  const load = routes[name];
  if (!load) {
    throw new Error(`no route named "${name}"`);
  }
  const page = await load();
  return page.render(context);
}
