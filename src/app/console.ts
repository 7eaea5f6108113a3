import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createAnnouncementApi } from '../http/admin/api-announcements.js';
import { createArticleApi } from '../http/admin/api-articles.js';
import { createAuditApi } from '../http/admin/api-audit.js';
import { createFaqApi } from '../http/admin/api-faq.js';
import { createStatsApi } from '../http/admin/api-stats.js';
import { createTicketApi } from '../http/admin/api-tickets.js';
import type { ApiRoute, ConsoleUi } from '../http/admin/route.js';
import { createAdminRoute } from '../http/admin/router.js';
import { createConsoleUi } from '../http/admin/ui.js';
import type { Route } from '../http/server.js';
import type { StaffServices } from './assistant.js';
import type { Jobs } from './jobs.js';
import type { Search } from './search.js';
import type { Storage } from './storage.js';

/** The role of a staff identity now: admins come from ADMIN_IDS, staff from the staff store (as in chat). */
function staffRole(config: Config, storage: Pick<Storage, 'staff'>): (staffId: string) => Promise<'admin' | 'staff' | 'citizen'> {
  const admins = new Set(config.ADMIN_IDS);
  return async (staffId) => (admins.has(staffId) ? 'admin' : (await storage.staff.isStaff(staffId)) ? 'staff' : 'citizen');
}

/**
 * The staff console under /admin: its pages, and its API over the same services and stores as the chat
 * commands (tickets, curated answers, the audit log…), behind the session and CSRF checks of the router.
 */
export function buildConsole(
  config: Config,
  deps: { storage: Storage; search: Search; jobs: Jobs; services: StaffServices; log: Logger; ui?: ConsoleUi },
): Route {
  const { storage, search, jobs, services } = deps;
  const log = deps.log.child({ module: 'console' });
  const api: ApiRoute[] = [
    ...createTicketApi({ tickets: services.tickets }),
    ...createFaqApi({ faq: services.faq }),
    ...createAuditApi({ audit: storage.staff.audit }),
    ...createAnnouncementApi({
      announcements: jobs.announcements,
      staff: storage.staff,
      broadcasts: storage.broadcasts,
      broadcaster: jobs.broadcaster,
      provinces: search.lexicon.provinces.map((p) => p.name),
      log,
    }),
    ...createArticleApi({
      articles: storage.articles,
      staff: storage.staff,
      index: search.index,
      publisher: search.publisher,
      sources: () => jobs.sources(),
      importUrl: (url) => jobs.importer.importUrl(url),
      log,
    }),
    ...createStatsApi({ daily: storage.daily, tickets: storage.tickets }),
  ];
  return createAdminRoute({
    sessions: storage.sessions,
    roleOf: staffRole(config, storage),
    ui: deps.ui ?? createConsoleUi(),
    api,
    audit: (entry) => storage.staff.audit.append(entry),
    log,
    ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  });
}
