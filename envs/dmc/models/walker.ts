/**
 * DMC planar walker MJCF, written for pgvar from the fact sheet (spec dmc.md §6.3). Euler at 0.0025 s
 * (10 substeps per 0.025 s control step); root joints in the order rootz, rootx, rooty; robot geoms
 * collide with the floor only (conaffinity 0); subtreelinvel sensor on the torso.
 */
const side = (s: 'right' | 'left', y: number) => `
      <body name="${s}_thigh" pos="0 ${y} -0.3">
        <joint name="${s}_hip" range="-20 100"/>
        <geom name="${s}_thigh" pos="0 0 -0.225" size="0.05 0.225"/>
        <body name="${s}_leg" pos="0 0 -0.7">
          <joint name="${s}_knee" pos="0 0 0.25" range="-150 0"/>
          <geom name="${s}_leg" size="0.04 0.25"/>
          <body name="${s}_foot" pos="0.06 0 -0.25">
            <joint name="${s}_ankle" pos="-0.06 0 0" range="-45 45"/>
            <geom name="${s}_foot" zaxis="1 0 0" size="0.05 0.1"/>
          </body>
        </body>
      </body>`;

export const DMC_WALKER_XML = `<mujoco model="planar walker">
  <option timestep="0.0025"/>
  <default>
    <joint damping="0.1" armature="0.01" limited="true" solimplimit="0 0.99 0.01"/>
    <geom contype="1" conaffinity="0" friction="0.7 0.1 0.1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
    <default class="walker">
      <geom type="capsule"/>
      <joint type="hinge" axis="0 -1 0"/>
    </default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="250 0.8 0.2" pos="248 0 0" conaffinity="1"/>
    <body name="torso" pos="0 0 1.3" childclass="walker">
      <joint name="rootz" type="slide" axis="0 0 1" limited="false" armature="0" damping="0"/>
      <joint name="rootx" type="slide" axis="1 0 0" limited="false" armature="0" damping="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" limited="false" armature="0" damping="0"/>
      <geom name="torso" size="0.07 0.3"/>${side('right', -0.05)}${side('left', 0.05)}
    </body>
  </worldbody>
  <sensor>
    <subtreelinvel name="torso_subtreelinvel" body="torso"/>
  </sensor>
  <actuator>
    <motor name="right_hip" joint="right_hip" gear="100"/>
    <motor name="right_knee" joint="right_knee" gear="50"/>
    <motor name="right_ankle" joint="right_ankle" gear="20"/>
    <motor name="left_hip" joint="left_hip" gear="100"/>
    <motor name="left_knee" joint="left_knee" gear="50"/>
    <motor name="left_ankle" joint="left_ankle" gear="20"/>
  </actuator>
</mujoco>
`;
