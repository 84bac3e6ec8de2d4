/**
 * DMC humanoid MJCF (stand/walk/run model), written for pgvar from the fact sheet (spec dmc.md §6.12):
 * Euler at 0.005 s (5 substeps); 21 hinges with springs (classes big_joint / big_stiff_joint);
 * frictionless self-contacts (condim 1); actuator order differs from joint order. Only the first
 * sensor (torso subtreelinvel) is modelled: the others are unused by these tasks and sensors have no
 * dynamic effect.
 */
const J = (name: string, axis: string, range: string, extra = '') => `<joint name="${name}" axis="${axis}" range="${range}"${extra}/>`;
const C = (name: string, from: string, to: string, r: number) => `<geom name="${name}" fromto="${from} ${to}" size="${r}"/>`;

const leg = (s: 'right' | 'left') => {
  const m = s === 'right' ? 1 : -1;
  return `<body name="${s}_thigh" pos="0 ${-0.1 * m} -0.04">
            ${J(`${s}_hip_x`, s === 'right' ? '1 0 0' : '-1 0 0', '-25 5', ' class="big_joint"')}
            ${J(`${s}_hip_z`, s === 'right' ? '0 0 1' : '0 0 -1', '-60 35', ' class="big_joint"')}
            ${J(`${s}_hip_y`, '0 1 0', s === 'right' ? '-110 20' : '-120 20', ' class="big_stiff_joint"')}
            ${C(`${s}_thigh`, '0 0 0', `0 ${0.01 * m} -0.34`, 0.06)}
            <body name="${s}_shin" pos="0 ${0.01 * m} -0.403">
              ${J(`${s}_knee`, '0 -1 0', '-160 2', ' pos="0 0 0.02"')}
              ${C(`${s}_shin`, '0 0 0', '0 0 -0.3', 0.049)}
              <body name="${s}_foot" pos="0 0 -0.39">
                ${J(`${s}_ankle_y`, '0 1 0', '-50 50', ' pos="0 0 0.08" stiffness="6"')}
                ${J(`${s}_ankle_x`, '1 0 0.5', '-50 50', ' pos="0 0 0.04" stiffness="3"')}
                ${C(`${s}_right_foot`, '-0.07 ' + -0.02 * m + ' 0', '0.14 ' + -0.04 * m + ' 0', 0.027)}
                ${C(`${s}_left_foot`, '-0.07 0 0', '0.14 ' + 0.02 * m + ' 0', 0.027)}
              </body>
            </body>
          </body>`;
};

const arm = (s: 'right' | 'left') => {
  const m = s === 'right' ? 1 : -1;
  return `<body name="${s}_upper_arm" pos="0 ${-0.17 * m} 0.06">
        ${J(`${s}_shoulder1`, `2 ${m} 1`, s === 'right' ? '-85 60' : '-60 85')}
        ${J(`${s}_shoulder2`, `0 ${-m} 1`, s === 'right' ? '-85 60' : '-60 85')}
        ${C(`${s}_upper_arm`, '0 0 0', `0.16 ${-0.16 * m} -0.16`, 0.04)}
        <body name="${s}_lower_arm" pos="0.18 ${-0.18 * m} -0.18">
          ${J(`${s}_elbow`, `0 -1 ${m}`, '-90 50', ' stiffness="0"')}
          ${C(`${s}_lower_arm`, `0.01 ${0.01 * m} 0.01`, `0.17 ${0.17 * m} 0.17`, 0.031)}
          <body name="${s}_hand" pos="0.18 ${0.18 * m} 0.18">
            <geom name="${s}_hand" type="sphere" size="0.04"/>
          </body>
        </body>
      </body>`;
};

const GEARS: [string, number][] = [
  ['abdomen_y', 40], ['abdomen_z', 40], ['abdomen_x', 40], ['right_hip_x', 40], ['right_hip_z', 40], ['right_hip_y', 120], ['right_knee', 80],
  ['right_ankle_x', 20], ['right_ankle_y', 20], ['left_hip_x', 40], ['left_hip_z', 40], ['left_hip_y', 120], ['left_knee', 80], ['left_ankle_x', 20],
  ['left_ankle_y', 20], ['right_shoulder1', 20], ['right_shoulder2', 20], ['right_elbow', 40], ['left_shoulder1', 20], ['left_shoulder2', 20], ['left_elbow', 40],
];

export const DMC_HUMANOID_XML = `<mujoco model="humanoid">
  <option timestep="0.005"/>
  <default>
    <motor ctrlrange="-1 1" ctrllimited="true"/>
    <default class="body">
      <geom type="capsule" condim="1" friction="0.7" solimp="0.9 0.99 0.003" solref="0.015 1"/>
      <joint type="hinge" damping="0.2" stiffness="1" armature="0.01" limited="true" solimplimit="0 0.99 0.01"/>
      <default class="big_joint">
        <joint damping="5" stiffness="10"/>
        <default class="big_stiff_joint">
          <joint stiffness="20"/>
        </default>
      </default>
    </default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="50 50 0.2"/>
    <body name="torso" pos="0 0 1.5" childclass="body">
      <freejoint name="root"/>
      ${C('torso', '0 -0.07 0', '0 0.07 0', 0.07)}
      ${C('upper_waist', '-0.01 -0.06 -0.12', '-0.01 0.06 -0.12', 0.06)}
      <body name="head" pos="0 0 0.19">
        <geom name="head" type="sphere" size="0.09"/>
      </body>
      <body name="lower_waist" pos="-0.01 0 -0.26" quat="1.000 0 -0.002 0">
        ${C('lower_waist', '0 -0.06 0', '0 0.06 0', 0.06)}
        ${J('abdomen_z', '0 0 1', '-45 45', ' pos="0 0 0.065" class="big_stiff_joint"')}
        ${J('abdomen_y', '0 1 0', '-75 30', ' pos="0 0 0.065" class="big_joint"')}
        <body name="pelvis" pos="0 0 -0.165" quat="1.000 0 -0.002 0">
          ${J('abdomen_x', '1 0 0', '-35 35', ' pos="0 0 0.1" class="big_joint"')}
          ${C('butt', '-0.02 -0.07 0', '-0.02 0.07 0', 0.09)}
          ${leg('right')}
          ${leg('left')}
        </body>
      </body>
      ${arm('right')}
      ${arm('left')}
    </body>
  </worldbody>
  <actuator>
${GEARS.map(([j, g]) => `    <motor name="${j}" joint="${j}" gear="${g}"/>`).join('\n')}
  </actuator>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
</mujoco>
`;
