import type { IForbiddenRuleType } from 'dependency-cruiser';

export interface Layer {
  rank: number;
  folder: string;
}
export function layersFromDoc(text: string): Layer[];
export function unlistedFolders(layers: Layer[], srcDir: string): string[];
export function rulesFor(layers: Layer[]): IForbiddenRuleType[];
export function projectRules(): IForbiddenRuleType[];
