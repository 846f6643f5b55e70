import type { ReactNode } from 'react';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';

export interface RouteTab {
  /** The sub-path of the tab (`/settings/<id>`). */
  id: string;
  label: string;
  content: ReactNode;
}

/**
 * Tabs whose selection is the page's sub-path, so each tab has its own address
 * (a link or a reload opens it). Arrow keys move between tabs (React Aria).
 */
export function RouteTabs(props: { label: string; base: string; tabs: RouteTab[] }) {
  const navigate = useNavigate();
  const sub = useParams()['*']?.split('/')[0];
  const current = props.tabs.find((t) => t.id === sub) ?? props.tabs[0];
  return (
    <Tabs selectedKey={current?.id} onSelectionChange={(key) => navigate(`${props.base}/${String(key)}`)}>
      <TabList aria-label={props.label} className="tab-list">
        {props.tabs.map((t) => (
          <Tab key={t.id} id={t.id} className="tab">
            {t.label}
          </Tab>
        ))}
      </TabList>
      {props.tabs.map((t) => (
        <TabPanel key={t.id} id={t.id} className="tab-panel">
          {t.content}
        </TabPanel>
      ))}
    </Tabs>
  );
}
