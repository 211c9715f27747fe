import type { Command } from '../command.js';
import { EXIT } from '../../common/errors.js';

export const conformance: Command = {
  name: 'conformance',
  summary: '(not implemented yet)',
  help: 'udnc conformance: not implemented yet\n',
  async run(_argv, io) {
    io.stderr('udnc conformance: not implemented yet\n');
    return EXIT.BAD_INPUT;
  },
};
