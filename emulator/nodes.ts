/** Managed nodes known to the service, and whether their agent's control channel is up. */
export type PingStatus = "Online" | "ConnectionLost" | "Inactive";

export interface ManagedNode {
  instanceId: string;
  pingStatus: PingStatus;
  lastPingDateTime: Date;
  agentVersion: string;
  platformType: "Linux" | "Windows" | "MacOS";
  platformName: string;
  platformVersion: string;
  computerName: string;
  ipAddress: string;
  registrationDate: Date;
  /** Tags, for discovery by tag (DescribeInstanceInformation filters). */
  tags: Record<string, string>;
}

export function resourceTypeOf(instanceId: string): "EC2Instance" | "ManagedInstance" {
  return instanceId.startsWith("mi-") ? "ManagedInstance" : "EC2Instance";
}

export class NodeRegistry {
  private readonly nodes = new Map<string, ManagedNode>();

  /** Registers a node that no agent serves yet: it shows as ConnectionLost until a control channel opens. */
  register(instanceId: string, details: Partial<Omit<ManagedNode, "instanceId">> = {}): ManagedNode {
    const existing = this.nodes.get(instanceId);
    if (existing) return Object.assign(existing, details);
    const node: ManagedNode = {
      instanceId,
      pingStatus: "ConnectionLost",
      lastPingDateTime: new Date(),
      agentVersion: "",
      platformType: "Linux",
      platformName: "Debian GNU/Linux",
      platformVersion: "12",
      computerName: "localhost",
      ipAddress: "127.0.0.1",
      registrationDate: new Date(),
      tags: {},
      ...details,
    };
    this.nodes.set(instanceId, node);
    return node;
  }

  get(instanceId: string): ManagedNode | undefined {
    return this.nodes.get(instanceId);
  }

  list(): ManagedNode[] {
    return [...this.nodes.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  }

  markOnline(instanceId: string, agentVersion: string): void {
    const node = this.register(instanceId);
    node.pingStatus = "Online";
    node.agentVersion = agentVersion;
    node.lastPingDateTime = new Date();
  }

  markConnectionLost(instanceId: string): void {
    const node = this.nodes.get(instanceId);
    if (node) node.pingStatus = "ConnectionLost";
  }
}
