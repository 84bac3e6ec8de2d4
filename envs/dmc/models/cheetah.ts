/**
 * DMC cheetah MJCF, written for pgvar from the fact sheet (spec dmc.md §6.2). Unlike Gymnasium's:
 * degrees with euler angles, self-collision possible (conaffinity 1), fthigh gear 90, a
 * subtreelinvel sensor on the torso (the reward reads its x component).
 */
const leg = (name: string, pos: string, range: string, k: number, d: number, geomPos: string, pitch: number, half: number, inner = '') =>
  `<body name="${name}" pos="${pos}">
          <joint name="${name}" range="${range}" stiffness="${k}" damping="${d}"/>
          <geom name="${name}" pos="${geomPos}" euler="0 ${pitch} 0" size="0.046 ${half}"/>
          ${inner}
        </body>`;

export const DMC_CHEETAH_XML = `<mujoco model="cheetah">
  <compiler settotalmass="14"/>
  <option timestep="0.01"/>
  <default>
    <default class="cheetah">
      <joint type="hinge" axis="0 1 0" limited="true" damping="0.01" armature="0.1" stiffness="8"/>
      <geom type="capsule" contype="1" conaffinity="1" condim="3" friction="0.4 0.1 0.1"/>
    </default>
    <default class="free">
      <joint limited="false" damping="0" armature="0" stiffness="0"/>
    </default>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" size="200 3 0.5" pos="98 0 0" friction="1 0.1 0.1"/>
    <body name="torso" pos="0 0 0.7" childclass="cheetah">
      <joint name="rootx" class="free" type="slide" axis="1 0 0"/>
      <joint name="rootz" class="free" type="slide" axis="0 0 1"/>
      <joint name="rooty" class="free" type="hinge" axis="0 1 0"/>
      <geom name="torso" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" pos="0.6 0 0.1" euler="0 50 0" size="0.046 0.15"/>
      ${leg('bthigh', '-0.5 0 0', '-30 60', 240, 6, '0.1 0 -0.13', -218, 0.145, leg('bshin', '0.16 0 -0.25', '-50 50', 180, 4.5, '-0.14 0 -0.07', -116, 0.15, leg('bfoot', '-0.28 0 -0.14', '-230 50', 120, 3, '0.03 0 -0.097', -15, 0.094)))}
      ${leg('fthigh', '0.5 0 0', '-57 0.4', 180, 4.5, '-0.07 0 -0.12', 30, 0.133, leg('fshin', '-0.14 0 -0.24', '-70 50', 120, 3, '0.065 0 -0.09', -34, 0.106, leg('ffoot', '0.13 0 -0.18', '-28 28', 60, 1.5, '0.045 0 -0.07', -34, 0.07)))}
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="90"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`;
