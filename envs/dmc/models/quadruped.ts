/**
 * DMC quadruped MJCF (walk/run variant: no walls, ball, target, terrain or rangefinders), written for
 * pgvar from the fact sheet (spec dmc.md §6.11): Euler at 0.005 s (4 substeps); ellipsoid torso at
 * density 1000, legs at 500; frictionless self-contacts (condim 1); per-leg fixed tendons with a
 * coupling equality; position-servo `general` actuators with first-order filter dynamics (τ 0.1 s).
 */
const LEGS: [string, string, number][] = [
  ['front_left', '0.2 0.2 0', 45],
  ['front_right', '0.2 -0.2 0', -45],
  ['back_right', '-0.2 -0.2 0', -135],
  ['back_left', '-0.2 0.2 0', 135],
];

const leg = ([x, pos, yaw]: [string, string, number]) => `
      <body name="hip_${x}" pos="${pos}" euler="0 0 ${yaw}">
        <joint name="yaw_${x}" class="yaw"/>
        <joint name="pitch_${x}" class="pitch"/>
        <geom name="thigh_${x}" class="hip"/>
        <body name="knee_${x}" pos="0.3 0 0.11">
          <joint name="knee_${x}" class="knee"/>
          <geom name="shin_${x}" class="knee"/>
          <body name="ankle_${x}" pos="0.25 0 -0.25">
            <joint name="ankle_${x}" class="ankle"/>
            <geom name="foot_${x}" class="ankle"/>
            <body name="toe_${x}" pos="0 0 -0.3">
              <geom name="toe_${x}" class="toe"/>
              <site name="toe_${x}" class="toe"/>
            </body>
          </body>
        </body>
      </body>`;

const tendons = (x: string) => `
    <fixed name="coupling_${x}">
      <joint joint="pitch_${x}" coef="0.333"/>
      <joint joint="knee_${x}" coef="0.333"/>
      <joint joint="ankle_${x}" coef="0.333"/>
    </fixed>
    <fixed name="extend_${x}">
      <joint joint="pitch_${x}" coef="0.25"/>
      <joint joint="knee_${x}" coef="-0.5"/>
      <joint joint="ankle_${x}" coef="0.25"/>
    </fixed>
    <fixed name="lift_${x}">
      <joint joint="pitch_${x}" coef="0.5"/>
      <joint joint="ankle_${x}" coef="-0.5"/>
    </fixed>`;

export function quadrupedXml(floorSize: number): string {
  const names = LEGS.map((l) => l[0]);
  return `<mujoco model="quadruped">
  <option timestep="0.005"/>
  <default>
    <geom solimp="0.9 0.99 0.003" solref="0.01 1"/>
    <general ctrllimited="true" gainprm="1000" biastype="affine" biasprm="0 -1000 0" dyntype="filter" dynprm="0.1"/>
    <default class="body">
      <geom type="capsule" size="0.08" condim="1" density="500"/>
      <joint type="hinge" damping="30" armature="0.01" limited="true" solimplimit="0 0.99 0.01"/>
      <default class="yaw"><joint axis="0 0 1" range="-50 50"/></default>
      <default class="pitch"><joint axis="0 1 0" range="-20 60"/></default>
      <default class="hip"><geom fromto="0 0 0 0.3 0 0.11"/></default>
      <default class="knee">
        <joint axis="0 1 0" range="-60 50"/>
        <geom size="0.065" fromto="0 0 0 0.25 0 -0.25"/>
      </default>
      <default class="ankle">
        <joint axis="0 1 0" range="-45 55"/>
        <geom size="0.055" fromto="0 0 0 0 0 -0.25"/>
      </default>
      <default class="toe">
        <geom type="sphere" size="0.08" friction="1.5"/>
        <site type="sphere" size="0.084"/>
      </default>
    </default>
    <default class="coupling">
      <equality solimp="0.95 0.99 0.01" solref="0.005 0.5"/>
    </default>
    <default class="yaw_act"><general ctrlrange="-1 1"/></default>
    <default class="lift_act"><general ctrlrange="-1 1.1"/></default>
    <default class="extend_act"><general ctrlrange="-0.8 0.8"/></default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="${floorSize} ${floorSize} 0.5"/>
    <body name="torso" childclass="body" pos="0 0 0.57">
      <freejoint name="root"/>
      <geom name="torso" type="ellipsoid" size="0.3 0.27 0.2" density="1000"/>
      <site name="torso" type="sphere" size="0.05"/>
      <geom name="eye_r" type="cylinder" size="0.05" fromto="0.1 -0.07 0.12 0.31 -0.07 0.08" mass="0"/>
      <geom name="eye_l" type="cylinder" size="0.05" fromto="0.1 0.07 0.12 0.31 0.07 0.08" mass="0"/>${LEGS.map(leg).join('')}
    </body>
  </worldbody>
  <tendon>${names.map(tendons).join('')}
  </tendon>
  <equality>
${names.map((x) => `    <tendon name="coupling_${x}" tendon1="coupling_${x}" class="coupling"/>`).join('\n')}
  </equality>
  <actuator>
${names.map((x) => `    <general name="yaw_${x}" class="yaw_act" joint="yaw_${x}"/>
    <general name="lift_${x}" class="lift_act" tendon="lift_${x}"/>
    <general name="extend_${x}" class="extend_act" tendon="extend_${x}"/>`).join('\n')}
  </actuator>
  <sensor>
    <accelerometer name="imu_accel" site="torso"/>
    <gyro name="imu_gyro" site="torso"/>
    <velocimeter name="velocimeter" site="torso"/>
${names.map((x) => `    <force name="force_toe_${x}" site="toe_${x}"/>`).join('\n')}
${names.map((x) => `    <torque name="torque_toe_${x}" site="toe_${x}"/>`).join('\n')}
    <subtreecom name="center_of_mass" body="torso"/>
  </sensor>
</mujoco>
`;
}
