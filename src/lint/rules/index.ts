// Every rule, in the order findings are listed in the docs.
import type { Rule } from '../rule.js';
import { firewallRules } from './firewall.js';
import { keywordRules } from './keywords.js';
import { lvsRules } from './lvs.js';
import { mariadbRules } from './mariadb.js';
import { scriptCrossRules } from './scripts.js';
import { realServerRules } from './realserver.js';
import { vrrpRules } from './vrrp.js';
import { SCRIPT_RULES } from '../script.js';
import { CONFIG_RULES } from '../config.js';
import { KEEPALIVED_TEST_RULE } from '../keepalived/check.js';

export const MODEL_RULES: Rule[] = [
  ...vrrpRules,
  ...lvsRules,
  ...realServerRules,
  ...firewallRules,
  ...mariadbRules,
  ...keywordRules,
];
/** Rules with their documentation, including those reported outside the model (scripts, syntax, config). */
/** Rules over everything lint was given at once (scripts against keepalived.conf and the inventory). */
export const CROSS_RULES: Rule[] = scriptCrossRules;
export const ALL_RULES = [...MODEL_RULES, ...CROSS_RULES, KEEPALIVED_TEST_RULE, ...SCRIPT_RULES, ...CONFIG_RULES];
export const RULE_IDS = new Set(ALL_RULES.map((r) => r.id));
