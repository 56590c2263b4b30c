import { Entity, PrimaryColumn } from 'typeorm';

/** An organization running a return operation (its members read the operation). */
@Entity('return_operation_org')
export class ReturnOperationOrg {
  @PrimaryColumn({ type: 'uuid', name: 'operation_id' })
  operationId: string;

  @PrimaryColumn({ type: 'uuid', name: 'organization_id' })
  organizationId: string;
}
