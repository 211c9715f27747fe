import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const matrix: Command = {
  name: 'matrix',
  summary: '(not implemented yet)',
  help: 'udnc matrix: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc matrix: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
