// The inventory's public face: load sources, ask for a host's variables and groups, select
// hosts by pattern. Everything else in this directory is an implementation detail.
export { loadInventory, type LoadInventoryOptions } from './sources.js';
export { hostVarsOf, inventoryLayersOf, groupNamesOf, groupsMap, sortedGroupsOf, adjacentLayersOf } from './vars.js';
export { loadAdjacentVars, loadVarsFile, findVarsFiles, type AdjacentNames, type AdjacentVarsResult } from './adjacent-vars.js';
export { selectHosts, limitHosts, splitHostPattern, LOCALHOST_NAMES, type PatternOptions, type Selection } from './patterns.js';
export { hostsOfGroup, groupsOfHost, emptyInventory } from './model.js';
export type { Inventory, InventoryHost, InventoryGroup, InventoryLoadResult, AdjacentVars, Vars, VarLayers } from './types.js';
