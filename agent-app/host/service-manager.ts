// The one module that starts and stops VisionSuit's units: it runs `systemctl`
// (the binary is a setting, so tests can point it at a stand-in that really
// runs the process) and nothing else does.
import { execFile } from 'node:child_process';
import { VsError } from '../../shared/errors.js';

export interface UnitState {
  unit: string;
  /** False when systemd does not know the unit (LoadState=not-found). */
  exists: boolean;
  active: boolean;
  mainPid: number;
}

export class ServiceManager {
  constructor(
    private readonly systemctl: string,
    private readonly timeoutMs = 120_000,
  ) {}

  private run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        this.systemctl,
        args,
        {
          timeout: this.timeoutMs,
          env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SYSTEMD_PAGER: '', LC_ALL: 'C' },
        },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  async state(unit: string): Promise<UnitState> {
    const r = await this.run(['show', '--property=LoadState,ActiveState,MainPID', '--', unit]);
    const props = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (r.code !== 0 && !props['LoadState']) {
      throw new VsError('VS_ERR_SERVICE', `systemctl show ${unit} failed: ${r.stderr.trim() || `exit ${r.code}`}`, {
        details: { unit },
      });
    }
    return {
      unit,
      exists: props['LoadState'] !== 'not-found',
      active:
        props['ActiveState'] === 'active' ||
        props['ActiveState'] === 'activating' ||
        props['ActiveState'] === 'reloading',
      mainPid: Number(props['MainPID'] ?? 0),
    };
  }

  private async act(verb: 'start' | 'stop' | 'restart', unit: string): Promise<void> {
    const r = await this.run([verb, '--', unit]);
    if (r.code !== 0) {
      throw new VsError(
        'VS_ERR_SERVICE',
        `systemctl ${verb} ${unit} failed: ${r.stderr.trim().split('\n').pop() || `exit ${r.code}`}`,
        { details: { unit, verb } },
      );
    }
  }

  start(unit: string): Promise<void> {
    return this.act('start', unit);
  }

  stop(unit: string): Promise<void> {
    return this.act('stop', unit);
  }

  restart(unit: string): Promise<void> {
    return this.act('restart', unit);
  }
}
