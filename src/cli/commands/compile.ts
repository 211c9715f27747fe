import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const compile: Command = {
  name: 'compile',
  summary: '(not implemented yet)',
  help: 'udnc compile: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc compile: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
