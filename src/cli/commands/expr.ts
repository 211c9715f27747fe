import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const expr: Command = {
  name: 'expr',
  summary: '(not implemented yet)',
  help: 'udnc expr: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc expr: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
